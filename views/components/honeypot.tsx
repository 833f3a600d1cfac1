/**
 * A field people never see and robots fill (src/site/spam.ts): moved off-screen by CSS, out of
 * the accessibility tree and the tab order, never autofilled. Its label tells anyone who meets it
 * anyway (a text browser) to leave it empty.
 */
export function Honeypot(props: { name: string }) {
  return (
    <div class="hp-field" aria-hidden="true">
      <label for={`hp-${props.name}`}>Leave this field empty</label>
      <input id={`hp-${props.name}`} name={props.name} type="text" value="" tabindex={-1} autocomplete="off" />
    </div>
  );
}
