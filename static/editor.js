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

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
