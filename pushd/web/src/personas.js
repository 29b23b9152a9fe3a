// Persona choice: read from the URL, validated, and remembered in localStorage. Pure functions, no React.

export const STORAGE_KEY = 'variant-dashboard.personas';
export const REMEMBERED_LIMIT = 20;
const PERSONA_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

// True when id is an allowed persona id (1-64 characters of A-Z a-z 0-9 _ . -).
export function isValidPersonaId(id) {
  return typeof id === 'string' && PERSONA_PATTERN.test(id);
}

// The persona id of a query string such as "?persona=ai-jesus", or null when absent or invalid.
export function personaFromSearch(search) {
  const id = new URLSearchParams(search).get('persona');
  return isValidPersonaId(id) ? id : null;
}

// The query string that selects a persona while keeping the other parameters of search.
export function searchWithPersona(search, personaId) {
  const params = new URLSearchParams(search);
  params.set('persona', personaId);
  return `?${params.toString()}`;
}

// The remembered list with personaId first, without duplicates or invalid ids, capped.
export function rememberPersona(remembered, personaId) {
  const others = remembered.filter((id) => id !== personaId && isValidPersonaId(id));
  return (isValidPersonaId(personaId) ? [personaId, ...others] : others).slice(0, REMEMBERED_LIMIT);
}

// The remembered personas read from a Storage-like object; an empty list when missing or corrupt.
export function loadRememberedPersonas(storage) {
  try {
    const parsed = JSON.parse(storage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isValidPersonaId) : [];
  } catch {
    return [];
  }
}

// Writes the remembered personas to a Storage-like object, ignoring quota or privacy-mode errors.
export function saveRememberedPersonas(storage, remembered) {
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(remembered));
  } catch {
    // storage unavailable: the picker still works for this page view
  }
}

// The variant id of a query string ("?persona=p&variant=v"), or null when absent or invalid.
export function variantFromSearch(search) {
  const id = new URLSearchParams(search).get('variant');
  return isValidPersonaId(id) ? id : null;
}

// The query string with the variant parameter set (or removed for null), other parameters kept.
export function searchWithVariant(search, variantId) {
  const params = new URLSearchParams(search);
  if (variantId) params.set('variant', variantId);
  else params.delete('variant');
  return `?${params.toString()}`;
}
