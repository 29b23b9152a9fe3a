// A titled dashboard panel (section with a heading, optional count badge and header controls).

// A section labelled by its heading; count (the number of entries the panel lists) shows after the title.
export function Panel({ id, title, count, actions, className, children }) {
  const headingId = `${id}-heading`;
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={headingId} data-testid={`panel-${id}`}>
      <div className="panel__header">
        <h2 id={headingId} className="panel__title">
          {title}
          {typeof count === 'number' && <span className="panel__count" data-testid={`count-${id}`}>{count}</span>}
        </h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
