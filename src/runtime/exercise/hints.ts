/** The exercise's hints, opened one at a time; those opened before a reload are open again. */
import { el } from '../dom.ts';
import { hintButtonState } from './panel-text.ts';

export interface Hints {
  /** Sets the button's words and state again, e.g. after the panel enabled its buttons. */
  readonly refresh: () => void;
}

export function mountHints(o: {
  readonly button: HTMLButtonElement;
  readonly list: HTMLOListElement;
  readonly hints: readonly string[];
  /** How many were open before the reload. */
  readonly shownBefore: number;
  /** Called with how many are open after the learner opens one. */
  readonly onShown: (shown: number) => void;
}): Hints {
  const { button, list, hints } = o;
  let shown = 0;
  const refresh = () => {
    const state = hintButtonState(shown, hints.length);
    button.textContent = state.text;
    button.disabled = state.disabled;
  };
  const showHint = (): HTMLElement => {
    const item = el('li', { tabIndex: -1 }, hints[shown]!);
    list.append(item);
    shown++;
    return item;
  };
  button.addEventListener('click', () => {
    if (shown >= hints.length) return;
    const item = showHint();
    o.onShown(shown);
    refresh();
    item.focus();
  });
  while (shown < Math.min(o.shownBefore, hints.length)) showHint();
  refresh();
  return { refresh };
}
