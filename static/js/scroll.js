// Bringing an item into view inside the panel that scrolls it, and nowhere else: the
// browser's scrollIntoView also scrolls every ancestor, the window included, so a
// keystroke or a click on a token would move the page away from where the student put it.

// Scroll `container` sideways, the least that shows `item` whole with `margin` px either
// side (or its start, if it is wider than the container).
export function revealInside(container, item, margin = 8) {
  if (!container || !item) return;
  const box = container.getBoundingClientRect();
  const left = item.getBoundingClientRect().left - margin;
  const right = item.getBoundingClientRect().right + margin;
  if (left < box.left) container.scrollLeft += left - box.left;
  else if (right > box.right) container.scrollLeft += Math.min(right - box.right, left - box.left);
}
