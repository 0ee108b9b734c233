/**
 * Runs `load` for each element matching `selector` the first time it is needed: when it
 * comes within 200 px of the viewport, or as soon as the reader clicks or tabs into it.
 * Lessons use it for their heavy parts (the editor, the simulations), so that the prose
 * never waits for them.
 */
export function whenNeeded(selector: string, load: (element: HTMLElement) => void): void {
  const once = (element: HTMLElement) => {
    if (element.dataset.mounted) return;
    load(element);
  };
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          once(entry.target as HTMLElement);
        }
      }
    },
    { rootMargin: '200px 0px' },
  );
  for (const element of document.querySelectorAll<HTMLElement>(selector)) {
    observer.observe(element);
    element.addEventListener('focusin', () => once(element), { once: true });
    element.addEventListener('pointerdown', () => once(element), { once: true });
  }
}
