import type { Child } from 'hono/jsx';

/** The one centred column of a settings page (two-factor, your data...), its heading on top. */
export function SettingsColumn(props: { heading: string; class: string; children: Child }) {
  return (
    <div class={`settings-page ${props.class}`}>
      <div class="container page">
        <div class="row">
          <div class="col-md-8 offset-md-2 col-xs-12">
            <h1 class="text-xs-center">{props.heading}</h1>
            {props.children}
          </div>
        </div>
      </div>
    </div>
  );
}
