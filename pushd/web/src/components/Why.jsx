// The statistics behind a plain sentence, folded away behind a "Why?" toggle (a native details element).

// A <details> whose summary reads "Why?"; children are the numbers.
export function Why({ testId, children }) {
  return (
    <details className="why" data-testid={testId}>
      <summary>Why?</summary>
      {children}
    </details>
  );
}
