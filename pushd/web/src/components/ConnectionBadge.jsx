// The always-visible connection state: live, connecting, reconnecting or offline.

// A status pill with the connection label, announced politely to screen readers.
export function ConnectionBadge({ label }) {
  return (
    <span className={`connection connection--${label.replace(" ", "-")}`} role="status" aria-live="polite">
      <span className="connection__dot" aria-hidden="true" />
      <span data-testid="connection-state">{label}</span>
    </span>
  );
}
