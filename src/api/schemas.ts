import { z } from 'zod';
import { BodySchema, DescriptionSchema, TagListSchema, TitleSchema, CommentFormSchema } from '../articles/schemas';
import { BLANK, tooLong } from '../lib/messages';
import { TextSchema } from '../lib/text';
import { SEARCH_QUERY_MAX_LENGTH } from '../search/queries';
import {
  BioSchema,
  EmailSchema,
  ImageUrlSchema,
  LoginFormSchema,
  PasswordSchema,
  RegisterFormSchema,
  UsernameSchema,
} from '../users/schemas';

/**
 * "can't be blank" when a wrapper or field is missing or null, else "must be ..." : RealWorld's
 * wording instead of zod's own ("Invalid input: expected object, received undefined").
 */
const shapeError = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined || issue.input === null ? BLANK : `must be ${what}`),
});
const BODY = shapeError('a JSON object');
const WRAPPER = shapeError('an object');

/** The API's bodies wrap the same field schemas the web forms use: one set of rules. */
export const LoginBody = z.object(
  {
    user: z.object(
      {
        // a missing field is blank, as in the form
        email: z.string({ error: BLANK }).pipe(LoginFormSchema.shape.email),
        password: z.string({ error: BLANK }).pipe(LoginFormSchema.shape.password),
        // beyond RealWorld: the second factor of an account that has one (a TOTP or recovery code)
        code: z.string({ error: 'must be a string' }).max(64, tooLong(64)).optional(),
      },
      WRAPPER,
    ),
  },
  BODY,
);
export const RegisterBody = z.object(
  {
    user: z.object(
      {
        ...RegisterFormSchema.shape,
        // beyond RealWorld: an invitation link's token (/register?invite=TOKEN), optional
        invitation: z.string({ error: 'must be a string' }).max(200, tooLong(200)).optional(),
      },
      WRAPPER,
    ),
  },
  BODY,
);

export const UpdateUserBody = z.object(
  {
    user: z.object({
      email: EmailSchema.optional(),
      username: UsernameSchema.optional(),
      password: PasswordSchema.optional(),
      // "" or null clears bio and image; a union would hide their messages behind "Invalid input"
      bio: BioSchema.nullable().optional(),
      image: ImageUrlSchema.nullable().optional(),
    }, WRAPPER),
  },
  BODY,
);

/** An uploaded image's address, absolute or relative (the use case checks it is one of ours). */
const CoverImageSchema = z.string({ error: 'must be an image uploaded here, or null' }).max(2000, 'must be an image uploaded here').nullable().optional();

export const NewArticleBody = z.object(
  {
    article: z.object({
      title: TitleSchema,
      description: DescriptionSchema,
      body: BodySchema,
      tagList: TagListSchema.optional(),
      // a Quire extension: an image uploaded here (POST /api/uploads), or null; left out, none
      coverImage: CoverImageSchema,
    }, WRAPPER),
  },
  BODY,
);

export const UpdateArticleBody = z.object(
  {
    article: z.object({
      title: TitleSchema.optional(),
      description: DescriptionSchema.optional(),
      body: BodySchema.optional(),
      // left out keeps the tags, [] clears them, null is refused
      tagList: TagListSchema.optional(),
      // left out keeps the cover, null removes it
      coverImage: CoverImageSchema,
    }, WRAPPER),
  },
  BODY,
);

export const NewCommentBody = z.object({ comment: z.object(CommentFormSchema.shape, WRAPPER) }, BODY);

export const LIST_LIMIT_DEFAULT = 20;
export const LIST_LIMIT_MAX = 100;

const wholeNumber = (min: number) =>
  z
    .string()
    .regex(/^[0-9]{1,9}$/, `must be a whole number of at least ${min}`)
    .transform(Number)
    .refine((n) => n >= min, `must be a whole number of at least ${min}`);

export const ListQuery = z.object({
  // Quire extension: full-text search, best matches first (see searchArticles)
  q: z.string().max(SEARCH_QUERY_MAX_LENGTH, `must be at most ${SEARCH_QUERY_MAX_LENGTH} characters`).optional(),
  tag: TextSchema().max(100).optional(),
  author: TextSchema().max(100).optional(),
  favorited: TextSchema().max(100).optional(),
  // limits above the cap are served at the cap rather than refused
  limit: wholeNumber(1)
    .transform((n) => Math.min(n, LIST_LIMIT_MAX))
    .optional(),
  offset: wholeNumber(0).optional(),
});
