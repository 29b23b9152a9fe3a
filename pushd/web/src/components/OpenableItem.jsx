// A list item that opens a variant: focusable, opens on click and on Enter (rows, leaders, kills, feed).

// An <li> with the given class and test id that calls onOpen(variantId) on click or Enter.
export function OpenableItem({ variantId, onOpen, className, testId, label, children, ...rest }) {
  const open = () => onOpen?.(variantId);
  return (
    <li className={`${className} openable`} data-testid={testId} tabIndex={0} aria-label={label}
      onClick={open} onKeyDown={(event) => { if (event.key === 'Enter') open(); }} {...rest}>
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
