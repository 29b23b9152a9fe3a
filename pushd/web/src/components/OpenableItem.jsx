// A list item that opens a variant: focusable, opens on click and on Enter (rows, leaders, kills, feed).

// Opens on Enter; the key's default is prevented, so its keypress cannot also press the button that
// takes the focus in the panel just opened (its Close button).
export function openOnEnter(event, open) {
  if (event.key !== 'Enter' || event.target !== event.currentTarget) return;
  event.preventDefault();
  open();
}

// An <li> with the given class and test id that calls onOpen(variantId) on click or Enter.
export function OpenableItem({ variantId, onOpen, className, testId, label, children, ...rest }) {
  const open = () => onOpen?.(variantId);
  return (
    <li className={`${className} openable`} data-testid={testId} tabIndex={0} aria-label={label}
      onClick={open} onKeyDown={(event) => openOnEnter(event, open)} {...rest}>
      {children}
    </li>
  );
}

// A variant id shown as a link-like button that opens the variant.
export function VariantIdButton({ variantId, onOpen }) {
  return (
    <button type="button" className="variant-id" onClick={(event) => { event.stopPropagation(); onOpen?.(variantId); }} data-testid={`open-${variantId}`}>
      {variantId}
    </button>
  );
}
