// Quire article editor: progressive enhancement for the tag field.
//
// Without JavaScript the server does the work: Enter in the tag field submits the form through
// its first (hidden) submit button `op=addtag`, and each pill's × is a submit button `op=rm:TAG`.
// With this script, Enter adds pills in the browser and × removes them, so writing an article
// with several tags costs a single round trip. Plain ES2020, no dependencies, no inline code:
// safe under a strict Content-Security-Policy. Loaded with `defer`; harmless on other pages.
(() => {
  'use strict';

  const MAX_TAGS = 10;
  const REMOVE_PREFIX = 'rm:';

  /** Builds `<span class="tag-default tag-pill"><button …><i …></i></button>TAG<input …></span>`. */
  function createPill(tag) {
    const pill = document.createElement('span');
    pill.className = 'tag-default tag-pill';

    const button = document.createElement('button');
    button.setAttribute('type', 'submit');
    button.setAttribute('name', 'op');
    button.setAttribute('value', REMOVE_PREFIX + tag);
    button.setAttribute('aria-label', 'Remove tag ' + tag);

    const icon = document.createElement('i');
    icon.className = 'ion-close-round';
    icon.setAttribute('aria-hidden', 'true');
    button.appendChild(icon);

    const hidden = document.createElement('input');
    hidden.setAttribute('type', 'hidden');
    hidden.setAttribute('name', 'tagList');
    hidden.setAttribute('value', tag);

    pill.appendChild(button);
    pill.appendChild(document.createTextNode(tag));
    pill.appendChild(hidden);
    return pill;
  }

  function init() {
    const input = document.querySelector('[data-tag-input]');
    if (!input) return;
    const scope = input.closest('fieldset') || input.form || document;
    const list = scope.querySelector('[data-tag-list]') || document.querySelector('[data-tag-list]');
    if (!list) return;

    const currentTags = () =>
      Array.from(list.querySelectorAll('input[type="hidden"][name="tagList"]'), (el) => el.value);

    function addTagsFromInput() {
      const tags = currentTags();
      for (const part of input.value.split(',')) {
        const tag = part.trim();
        if (tag === '' || tags.includes(tag)) continue;
        if (tags.length >= MAX_TAGS) break;
        list.appendChild(createPill(tag));
        tags.push(tag);
      }
      input.value = '';
    }

    input.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      // Enter that confirms an IME composition neither submits nor should add a tag.
      if (event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      addTagsFromInput();
    });

    list.addEventListener('click', (event) => {
      const target = event.target instanceof Element ? event.target : null;
      const button = target && target.closest('button');
      if (!button || !list.contains(button)) return;
      if (!button.value.startsWith(REMOVE_PREFIX)) return;
      event.preventDefault();
      const pill = button.closest('.tag-pill') || button.parentElement;
      if (pill && pill !== list) pill.remove();
      // The removed button had focus: hand it to the tag field rather than losing it.
      input.focus();
    });
  }

  // ---- Images: drop or paste into the body uploads at once and inserts at the cursor ----
  //
  // Without JavaScript, "Upload image" posts the whole form and the server inserts the Markdown
  // where `cursor` says (else at the end). This keeps `cursor` current, and adds drag and drop and
  // paste: the file goes to POST /editor/uploads (JSON, the session cookie, same origin) while a
  // small dialog asks for its alt text; the Markdown goes where the cursor was when it was dropped.

  const UPLOADS_PATH = '/editor/uploads';

  /** A modal dialog asking for alt text; resolves with the text, or null when cancelled. */
  function askAltText(fileName) {
    return new Promise((resolve) => {
      const dialog = document.createElement('dialog');
      dialog.className = 'alt-dialog';
      dialog.setAttribute('aria-labelledby', 'alt-dialog-title');
      const form = document.createElement('form');
      form.method = 'dialog';
      const title = document.createElement('h2');
      title.id = 'alt-dialog-title';
      title.className = 'h5';
      title.textContent = 'Describe the image';
      const label = document.createElement('label');
      label.setAttribute('for', 'alt-dialog-text');
      label.textContent = 'Alt text for ' + fileName;
      const input = document.createElement('input');
      input.id = 'alt-dialog-text';
      input.className = 'form-control';
      input.maxLength = 300;
      input.required = true;
      input.setAttribute('aria-describedby', 'alt-dialog-hint');
      const hint = document.createElement('p');
      hint.id = 'alt-dialog-hint';
      hint.className = 'form-hint';
      hint.textContent = 'Say what the image shows, for readers who cannot see it.';
      const menu = document.createElement('menu');
      const cancel = document.createElement('button');
      cancel.type = 'button';
      cancel.className = 'btn btn-outline-secondary';
      cancel.textContent = 'Cancel';
      const ok = document.createElement('button');
      ok.type = 'submit';
      ok.className = 'btn btn-primary';
      ok.textContent = 'Insert image';
      menu.append(cancel, ok);
      form.append(title, label, input, hint, menu);
      dialog.appendChild(form);
      document.body.appendChild(dialog);
      let answer = null;
      form.addEventListener('submit', (event) => {
        if (input.value.trim() === '') {
          event.preventDefault();
          input.focus();
          return;
        }
        answer = input.value.trim();
      });
      cancel.addEventListener('click', () => dialog.close());
      dialog.addEventListener('close', () => {
        dialog.remove();
        resolve(answer);
      });
      dialog.showModal();
      input.focus();
    });
  }

  const markdownOf = (alt, url) => '![' + alt.replace(/[[\]\\]/g, '\\$&').replace(/\s+/g, ' ') + '](' + url + ')';

  function initImages() {
    const body = document.querySelector('.editor-form textarea[name="body"]');
    const cursor = document.querySelector('[data-cursor]');
    const status = document.querySelector('[data-upload-status]');
    if (!body || !cursor || typeof fetch !== 'function') return;
    const button = document.querySelector('button[name="op"][value="upload"]');
    if (button) {
      const hint = document.createElement('p');
      hint.className = 'form-hint';
      hint.textContent = 'You can also drop or paste an image into the body.';
      button.after(hint);
    }

    const remember = () => { cursor.value = String(body.selectionStart); };
    for (const type of ['input', 'keyup', 'click', 'select', 'focus']) body.addEventListener(type, remember);

    let pending = 0;
    const say = (text) => { if (status) status.textContent = text; };

    /**
     * Inserts at a position as a paragraph of its own (as the server's insertAt does), keeping the
     * author's own cursor where it was relative to the text.
     */
    function insert(markdown, at) {
      const position = Math.min(at, body.value.length);
      const before = body.value.slice(0, position);
      const after = body.value.slice(position);
      const lead = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
      const trail = after === '' ? '\n' : after.startsWith('\n\n') ? '' : after.startsWith('\n') ? '\n' : '\n\n';
      const text = lead + markdown + trail;
      const selection = body.selectionStart;
      body.value = before + text + after;
      const next = selection >= position ? selection + text.length : selection;
      body.setSelectionRange(next, next);
      cursor.value = String(next);
      body.dispatchEvent(new Event('input', { bubbles: true }));
    }

    async function upload(file) {
      const at = body.selectionStart;
      pending += 1;
      say('Uploading ' + file.name + '…');
      body.setAttribute('aria-busy', 'true');
      const data = new FormData();
      data.append('file', file);
      const sent = fetch(UPLOADS_PATH, { method: 'POST', body: data, credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then((response) => response.json().then((json) => ({ ok: response.ok, json })))
        .catch(() => ({ ok: false, json: { errors: { file: ['could not be sent: check your connection and try again'] } } }));
      const [alt, answer] = await Promise.all([askAltText(file.name), sent]);
      pending -= 1;
      if (pending === 0) body.removeAttribute('aria-busy');
      if (!answer.ok) {
        const message = (answer.json && answer.json.errors && answer.json.errors.file && answer.json.errors.file[0]) || 'was refused';
        say('The image ' + message + '.');
        return;
      }
      if (alt === null) {
        say('Image not inserted.');
        return;
      }
      insert(markdownOf(alt, answer.json.upload.url), at);
      say('Image inserted.');
      body.focus();
    }

    const imagesIn = (list) => Array.from(list || []).filter((file) => file && file.type.startsWith('image/'));

    body.addEventListener('dragover', (event) => {
      if (!event.dataTransfer || !Array.from(event.dataTransfer.types).includes('Files')) return;
      event.preventDefault();
      body.classList.add('drop-target');
    });
    body.addEventListener('dragleave', () => body.classList.remove('drop-target'));
    body.addEventListener('drop', (event) => {
      body.classList.remove('drop-target');
      const files = imagesIn(event.dataTransfer && event.dataTransfer.files);
      if (files.length === 0) return;
      event.preventDefault();
      // one at a time: each asks for its own alt text
      files.reduce((previous, file) => previous.then(() => upload(file)), Promise.resolve());
    });
    body.addEventListener('paste', (event) => {
      const files = imagesIn(event.clipboardData && event.clipboardData.files);
      if (files.length === 0) return;
      event.preventDefault();
      files.reduce((previous, file) => previous.then(() => upload(file)), Promise.resolve());
    });
  }

  function start() {
    init();
    initImages();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
