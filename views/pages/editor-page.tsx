import { ErrorList, FieldError, fieldAria } from '../components/errors';
import { imgAttributes, mediaImageOf, mediaImagesIn } from '../../src/media/picture';
import type { FormErrors } from '../view-types';

export type EditorValues = {
  title: string;
  description: string;
  body: string;
  tagList: string[];
  tag: string;
  /** the cover's address (`/media/...`), '' for none */
  coverImage?: string;
  /** the alt text typed for the next image */
  alt?: string;
  /** where the cursor was in the body (kept up to date by static/editor.js), '' when unknown */
  cursor?: string;
};

/** What the file inputs accept: what src/media/process.ts reads (the bytes decide, this only helps the picker). */
export const IMAGE_ACCEPT = 'image/jpeg,image/png,image/webp,image/gif,image/avif';

/** "Upload image": a file, its alt text, and the button that posts the whole form (no JavaScript needed). */
function ImageUpload(props: { values: EditorValues; errors?: FormErrors }) {
  const { values, errors } = props;
  return (
    <fieldset class="form-group image-upload" data-image-upload>
      <legend>Add an image to the body</legend>
      <label for="image">Image file</label>
      <input id="image" type="file" name="image" accept={IMAGE_ACCEPT} class="form-control" {...fieldAria(errors, 'image')} />
      <FieldError errors={errors} name="image" />
      <label for="alt">Alt text</label>
      <input
        id="alt"
        type="text"
        name="alt"
        class="form-control"
        maxlength={300}
        value={values.alt ?? ''}
        aria-describedby={errors?.fields.alt ? 'alt-error alt-hint' : 'alt-hint'}
        {...(errors?.fields.alt ? { 'aria-invalid': 'true' } : {})}
      />
      <p class="form-hint" id="alt-hint">
        Say what the image shows, for readers who cannot see it.
      </p>
      <FieldError errors={errors} name="alt" />
      <input type="hidden" name="cursor" value={values.cursor ?? ''} data-cursor />
      <button type="submit" name="op" value="upload" class="btn btn-outline-secondary">
        Upload image
      </button>
      <p class="upload-status" role="status" data-upload-status></p>
    </fieldset>
  );
}

/** The cover: one of the body's images, an upload, or none. */
function CoverChoice(props: { values: EditorValues; errors?: FormErrors }) {
  const { values, errors } = props;
  const current = values.coverImage ?? '';
  const choices = mediaImagesIn(values.body);
  const shown = mediaImageOf(current);
  const inBody = choices.some((choice) => choice.url === current);
  return (
    <fieldset class="form-group cover-choice">
      <legend>Cover image</legend>
      {shown && <img class="cover-preview" alt="The cover now" {...imgAttributes(shown, 'preview')} />}
      <label for="coverImage">Cover</label>
      <select id="coverImage" name="coverImage" class="form-control" {...fieldAria(errors, 'coverImage')}>
        <option value="" selected={current === ''}>
          No cover
        </option>
        {current !== '' && !inBody && (
          <option value={current} selected>
            {shown ? 'The uploaded cover' : current}
          </option>
        )}
        {choices.map((choice, index) => (
          <option value={choice.url} selected={choice.url === current}>
            {`Image ${index + 1} of the body${choice.alt ? `: ${choice.alt}` : ''}`}
          </option>
        ))}
      </select>
      <FieldError errors={errors} name="coverImage" />
      <label for="coverFile">Or upload a cover</label>
      <input id="coverFile" type="file" name="coverFile" accept={IMAGE_ACCEPT} class="form-control" {...fieldAria(errors, 'coverFile')} />
      <FieldError errors={errors} name="coverFile" />
      <button type="submit" name="op" value="cover" class="btn btn-outline-secondary">
        Upload cover
      </button>
    </fieldset>
  );
}

export function EditorPage(props: { action: string; values: EditorValues; errors?: FormErrors; canSaveDraft?: boolean }) {
  const { values, errors } = props;
  return (
    <div class="editor-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-10 offset-md-1 col-xs-12">
            <h1 class="visually-hidden">{props.action === '/editor' ? 'New article' : 'Edit article'}</h1>
            <ErrorList errors={errors} />
            <form method="post" action={props.action} class="editor-form" enctype="multipart/form-data" novalidate>
              {/* Enter in a text field submits the form's first button: this one adds a tag, it never publishes */}
              <button type="submit" name="op" value="addtag" class="visually-hidden" tabindex={-1}>
                Add tag
              </button>
              <fieldset>
                <fieldset class="form-group">
                  <label for="title" class="visually-hidden">
                    Title
                  </label>
                  <input
                    id="title"
                    type="text"
                    name="title"
                    class="form-control form-control-lg"
                    placeholder="Article Title"
                    maxlength={200}
                    value={values.title}
                    {...fieldAria(errors, 'title')}
                  />
                  <FieldError errors={errors} name="title" />
                </fieldset>
                <fieldset class="form-group">
                  <label for="description" class="visually-hidden">
                    Description
                  </label>
                  <input
                    id="description"
                    type="text"
                    name="description"
                    class="form-control"
                    placeholder="What's this article about?"
                    maxlength={500}
                    value={values.description}
                    {...fieldAria(errors, 'description')}
                  />
                  <FieldError errors={errors} name="description" />
                </fieldset>
                <fieldset class="form-group">
                  <label for="body" class="visually-hidden">
                    Body (Markdown)
                  </label>
                  <textarea
                    id="body"
                    name="body"
                    class="form-control"
                    rows={12}
                    placeholder="Write your article (in markdown)"
                    {...fieldAria(errors, 'body')}
                  >
                    {values.body}
                  </textarea>
                  <FieldError errors={errors} name="body" />
                </fieldset>
                <ImageUpload values={values} errors={errors} />
                <fieldset class="form-group">
                  <label for="tag-input" class="visually-hidden">
                    Tags
                  </label>
                  <input
                    id="tag-input"
                    type="text"
                    name="tag"
                    class="form-control"
                    placeholder="Enter tags"
                    value={values.tag}
                    data-tag-input
                    {...fieldAria(errors, 'tagList')}
                  />
                  <FieldError errors={errors} name="tagList" />
                  <div class="tag-list" data-tag-list>
                    {values.tagList.map((tag) => (
                      <span class="tag-default tag-pill">
                        <button type="submit" name="op" value={`rm:${tag}`} aria-label={`Remove tag ${tag}`}>
                          <i class="ion-close-round" aria-hidden="true"></i>
                        </button>
                        {tag}
                        <input type="hidden" name="tagList" value={tag} />
                      </span>
                    ))}
                  </div>
                </fieldset>
                <CoverChoice values={values} errors={errors} />
                <button type="submit" name="op" value="publish" class="btn btn-lg pull-xs-right btn-primary">
                  Publish Article
                </button>
                {props.canSaveDraft !== false && (
                  <button type="submit" name="op" value="draft" class="btn btn-lg pull-xs-right btn-outline-secondary save-draft">
                    Save draft
                  </button>
                )}
              </fieldset>
            </form>
          </div>
        </div>
      </div>
    </div>
  );
}
