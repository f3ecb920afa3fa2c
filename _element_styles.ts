// Copyright 2026 the handoff authors. MIT license.
// The look of `<handoff-session>`: its shadow style sheet. Every colour and
// size comes from a `--handoff-*` custom property with a default that
// follows `prefers-color-scheme`; element.ts documents them and the parts.

export const CSS = `
:host {
  --_accent: var(--handoff-accent, #2458d6);
  --_fg: var(--handoff-fg, #1b1d22);
  --_bg: var(--handoff-bg, #ffffff);
  --_muted: var(--handoff-muted, #5b6170);
  --_border: var(--handoff-border, #d5d9e2);
  --_error: var(--handoff-error, #b3261e);
  --_radius: var(--handoff-radius, 12px);
  --_gap: var(--handoff-gap, 12px);
  display: block;
  box-sizing: border-box;
  max-width: 100%;
  color: var(--_fg);
  background: var(--_bg);
  font: var(--handoff-font, 16px/1.4 system-ui, sans-serif);
}
@media (prefers-color-scheme: dark) {
  :host {
    --_accent: var(--handoff-accent, #8fb0ff);
    --_fg: var(--handoff-fg, #e8eaef);
    --_bg: var(--handoff-bg, #17191e);
    --_muted: var(--handoff-muted, #a3a9b7);
    --_border: var(--handoff-border, #3a3f4b);
    --_error: var(--handoff-error, #ffb4ab);
  }
}
:host([hidden]) { display: none; }
[hidden] { display: none !important; }
* { box-sizing: border-box; }
[part="container"] {
  display: flex;
  flex-direction: column;
  align-items: center;
  gap: var(--_gap);
  padding: var(--_gap);
  border: 1px solid var(--_border);
  border-radius: var(--_radius);
  text-align: center;
  min-width: 0;
}
[part="qr"] {
  display: block;
  width: var(--handoff-qr-size, min(256px, 100%));
  height: auto;
  aspect-ratio: 1;
  image-rendering: pixelated;
  background: #fff;
  border-radius: calc(var(--_radius) / 2);
}
a { color: var(--_accent); overflow-wrap: anywhere; }
a:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; border-radius: 4px; }
[part="status"] { margin: 0; font-weight: 600; }
[part="timer"] { margin: 0; color: var(--_muted); font-variant-numeric: tabular-nums; }
[part="error"] { margin: 0; color: var(--_error); overflow-wrap: anywhere; }
[part="items"] {
  list-style: none;
  margin: 0;
  padding: 0;
  display: flex;
  flex-wrap: wrap;
  justify-content: center;
  gap: var(--_gap);
  max-width: 100%;
}
[part="item"] {
  display: flex;
  flex-direction: column;
  align-items: center;
  gap: 4px;
  max-width: 100%;
  min-width: 0;
}
[part="thumbnail"] {
  display: block;
  width: var(--handoff-thumb-size, 96px);
  height: var(--handoff-thumb-size, 96px);
  object-fit: cover;
  border: 1px solid var(--_border);
  border-radius: calc(var(--_radius) / 2);
  background: #fff;
}
[part="item-name"] { overflow-wrap: anywhere; }
[part="item-type"] { color: var(--_muted); font-size: 0.875em; }
`;
