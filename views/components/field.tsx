import type { Child } from 'hono/jsx';
import { FieldError, fieldAria } from './errors';
import type { FormErrors } from '../view-types';

type InputAttributes = Record<string, string | number | boolean | undefined>;

/**
 * One form field: its label, the input (or textarea), the field's own error message beside it,
 * and an optional hint. `name` doubles as the id the label points at.
 */
export function Field(props: {
  name: string;
  label: string;
  errors?: FormErrors;
  /** the value typed (never pass a password back) */
  value?: string;
  type?: string;
  class?: string;
  placeholder?: string;
  multiline?: boolean;
  rows?: number;
  labelHidden?: boolean;
  hint?: Child;
  attributes?: InputAttributes;
}) {
  const common = {
    id: props.name,
    name: props.name,
    class: props.class ?? 'form-control form-control-lg',
    placeholder: props.placeholder,
    ...fieldAria(props.errors, props.name),
    ...props.attributes,
  };
  return (
    <fieldset class="form-group">
      <label for={props.name} class={props.labelHidden ? 'visually-hidden' : undefined}>
        {props.label}
      </label>
      {props.multiline ? (
        <textarea rows={props.rows ?? 8} {...common}>
          {props.value ?? ''}
        </textarea>
      ) : (
        <input type={props.type ?? 'text'} value={props.type === 'password' || props.type === 'file' ? undefined : (props.value ?? '')} {...common} />
      )}
      <FieldError errors={props.errors} name={props.name} />
      {props.hint}
    </fieldset>
  );
}
