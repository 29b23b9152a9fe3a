// Persona picker: the personas the viewer may read (and remembered ones), plus a text input to open any other.
import { useState } from 'react';
import { isValidPersonaId } from '../personas.js';

// Lets the user switch persona; onChoose receives a valid persona id; known lists /api/personas' ids.
export function PersonaPicker({ currentId, remembered, known, onChoose }) {
  const [draft, setDraft] = useState('');
  const options = [...new Set([...(currentId ? [currentId] : []), ...known, ...remembered])].sort();
  const draftValid = isValidPersonaId(draft.trim());

  // Opens the typed persona and clears the input.
  function handleSubmit(event) {
    event.preventDefault();
    if (!draftValid) return;
    onChoose(draft.trim());
    setDraft('');
  }

  return (
    <div className="persona-picker">
      {options.length > 0 && (
        <label className="field">
          <span className="field__label">Persona</span>
          <select value={currentId ?? ''} onChange={(event) => event.target.value && onChoose(event.target.value)} data-testid="persona-select">
            {!currentId && <option value="">Choose…</option>}
            {options.map((id) => (
              <option key={id} value={id}>{id}</option>
            ))}
          </select>
        </label>
      )}
      <form className="persona-picker__form" onSubmit={handleSubmit}>
        <label className="field">
          <span className="field__label">Open persona</span>
          <input
            type="text"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            placeholder="persona id"
            maxLength={64}
            pattern="[A-Za-z0-9_.\-]{1,64}"
            data-testid="persona-input"
            spellCheck={false}
            autoCapitalize="off"
          />
        </label>
        <button type="submit" className="button" disabled={!draftValid}>Open</button>
      </form>
    </div>
  );
}
