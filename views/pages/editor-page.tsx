import { ErrorList, FieldError, fieldAria } from '../components/errors';
import type { FormErrors } from '../view-types';

export type EditorValues = { title: string; description: string; body: string; tagList: string[]; tag: string };

export function EditorPage(props: { action: string; values: EditorValues; errors?: FormErrors; canSaveDraft?: boolean }) {
  const { values, errors } = props;
  return (
    <div class="editor-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-10 offset-md-1 col-xs-12">
            <h1 class="visually-hidden">{props.action === '/editor' ? 'New article' : 'Edit article'}</h1>
            <ErrorList errors={errors} />
            <form method="post" action={props.action} class="editor-form" novalidate>
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
