import { z } from 'zod';
import { BLANK, tooLong } from '../lib/messages';
import { TextSchema } from '../lib/text';

export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 500;
export const BODY_MAX_LENGTH = 100_000;
export const TAG_MAX_LENGTH = 40;
export const TAGS_MAX_COUNT = 10;
export const COMMENT_MAX_LENGTH = 10_000;

const required = (max: number) =>
  TextSchema({ error: BLANK }).trim().min(1, BLANK).max(max, tooLong(max));

/** Trims, drops empties and duplicates, keeps the order given. */
export function normaliseTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim().replace(/\s+/g, ' ');
    if (tag && !seen.has(tag)) {
      seen.add(tag);
      result.push(tag);
    }
  }
  return result;
}

export const TagListSchema = z
  .array(TextSchema({ error: 'must be a list of strings' }), { error: 'must be a list of strings' })
  .transform(normaliseTags)
  .pipe(
    z
      .array(z.string().max(TAG_MAX_LENGTH, `has a tag that ${tooLong(TAG_MAX_LENGTH)}`))
      .max(TAGS_MAX_COUNT, `can have at most ${TAGS_MAX_COUNT} tags`),
  );

export const TitleSchema = required(TITLE_MAX_LENGTH);
export const DescriptionSchema = required(DESCRIPTION_MAX_LENGTH);
export const BodySchema = required(BODY_MAX_LENGTH);

export const ArticleFormSchema = z.object({
  title: TitleSchema,
  description: DescriptionSchema,
  body: BodySchema,
  tagList: TagListSchema,
});
export type ArticleForm = z.infer<typeof ArticleFormSchema>;

export const CommentFormSchema = z.object({
  body: required(COMMENT_MAX_LENGTH),
});

export const FIELD_LABELS: Record<string, string> = {
  title: 'Title',
  description: 'Description',
  body: 'Body',
  tagList: 'Tags',
};
