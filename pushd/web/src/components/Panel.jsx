// A titled dashboard panel (section with a heading and optional count).

// A section labelled by its heading, with an optional small count after the title.
export function Panel({ id, title, count, className, children }) {
  const headingId = `${id}-heading`;
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={headingId}>
      <h2 id={headingId} className="panel__title">
        {title}
        {typeof count === 'number' && <span className="panel__count">{count}</span>}
      </h2>
      {children}
    </section>
  );
}
