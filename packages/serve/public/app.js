// The mlsd serving page: plain browser JavaScript, no build step. It talks only to the
// service that served it (same origin): GET /v1/info, POST /v1/images/similar,
// GET /v1/images/:id/thumbnail, GET /v1/fraud/example and POST /v1/fraud/score.

const $ = (id) => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`The page has no element #${id}.`);
  return element;
};

/** Formats milliseconds for people: 0.42 ms, 3.1 ms, 120 ms. */
function formatMs(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** Formats a feature value: integers as they are, others with 4 significant digits. */
function formatValue(value) {
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(4)).toString();
}

/**
 * Calls the API and measures the browser round trip. Resolves to { ok, status, body, ms };
 * a network failure resolves with status 0 and an error body, so callers show one message.
 */
async function callApi(path, init) {
  const started = performance.now();
  try {
    const response = await fetch(path, init);
    const text = await response.text();
    const ms = performance.now() - started;
    let body = null;
    try {
      body = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      body = { error: { code: `HTTP_${response.status}`, message: text.slice(0, 300) } };
    }
    return { ok: response.ok, status: response.status, body, ms, headers: response.headers };
  } catch (error) {
    return {
      ok: false,
      status: 0,
      body: { error: { code: 'NETWORK_ERROR', message: String(error?.message ?? error) } },
      ms: performance.now() - started,
      headers: new Headers(),
    };
  }
}

/** Shows an API error as "CODE (status): message" in an alert paragraph. */
function showError(element, result) {
  const error = result.body?.error ?? {};
  const code = error.code ?? `HTTP_${result.status}`;
  const status = result.status === 0 ? '' : ` (${result.status})`;
  element.textContent = '';
  const strong = document.createElement('strong');
  strong.textContent = `${code}${status}`;
  element.append(strong, `: ${error.message ?? 'the request failed.'}`);
  element.hidden = false;
}

function clearError(element) {
  element.hidden = true;
  element.textContent = '';
}

/** Server time from a Server-Timing header ("...;dur=1.23"), when the service sends one. */
function serverTiming(headers) {
  const value = headers.get('server-timing');
  const match = value === null ? null : /dur=([0-9.]+)/.exec(value);
  return match === null ? undefined : Number(match[1]);
}

// ---------------------------------------------------------------------------------------------
// Panel 1: similar images

/** Names of numeric labels (e.g. Fashion-MNIST classes), when /v1/info gives them. */
let labelNames = null;

/** "Coat" for a label with a name, else the label itself. */
function labelText(label) {
  if (label === undefined || label === null) return 'no label';
  return labelNames?.[String(label)] ?? String(label);
}

let queryToken = 0;
let previewUrl = null;
let lastFile = null;

function setupImagesPanel(images) {
  $('images-panel').hidden = false;
  const labelSelect = $('label-select');
  labelNames = images.labelNames ?? null;
  for (const label of images.labels ?? []) {
    const option = document.createElement('option');
    option.value = String(label);
    option.textContent = labelText(label);
    labelSelect.append(option);
  }

  const input = $('image-input');
  const dropZone = $('drop-zone');
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file !== undefined) void queryImage(file);
  });
  for (const type of ['dragenter', 'dragover']) {
    dropZone.addEventListener(type, (event) => {
      event.preventDefault();
      dropZone.classList.add('dragging');
    });
  }
  for (const type of ['dragleave', 'dragend']) {
    dropZone.addEventListener(type, () => dropZone.classList.remove('dragging'));
  }
  dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropZone.classList.remove('dragging');
    const file = event.dataTransfer?.files?.[0];
    if (file !== undefined) void queryImage(file);
  });
  // Changing k or the label filter re-runs the last query.
  const rerun = () => {
    const file = lastFile;
    if (file !== null) void queryImage(file);
  };
  $('k-select').addEventListener('change', rerun);
  labelSelect.addEventListener('change', rerun);
}

async function queryImage(file) {
  lastFile = file;
  const token = ++queryToken;
  const errorBox = $('image-error');
  clearError(errorBox);

  const preview = $('query-preview');
  if (previewUrl !== null) URL.revokeObjectURL(previewUrl);
  previewUrl = URL.createObjectURL(file);
  preview.src = previewUrl;
  preview.hidden = false;
  $('drop-zone').classList.add('has-image');

  const params = new URLSearchParams({ k: $('k-select').value });
  const label = $('label-select').value;
  if (label !== '') params.set('label', label);
  const results = $('image-results');
  results.setAttribute('aria-busy', 'true');
  const result = await callApi(`/v1/images/similar?${params}`, {
    method: 'POST',
    headers: { 'content-type': file.type || 'application/octet-stream' },
    body: file,
  });
  if (token !== queryToken) return; // a newer query has started
  results.removeAttribute('aria-busy');
  $('image-roundtrip-ms').textContent = formatMs(result.ms);
  if (!result.ok) {
    $('image-server-ms').textContent = '–';
    results.replaceChildren();
    showError(errorBox, result);
    return;
  }
  $('image-server-ms').textContent = formatMs(result.body.tookMs);
  renderHits(result.body.hits ?? []);
}

function renderHits(hits) {
  const results = $('image-results');
  if (hits.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'no-results';
    empty.textContent = 'No catalogue image matches this filter.';
    results.replaceChildren(empty);
    return;
  }
  results.replaceChildren(
    ...hits.map((hit, rank) => {
      const card = document.createElement('li');
      card.className = 'card';
      const label = hit.label ?? hit.metadata?.label;
      const name = hit.labelName ?? labelText(label);
      card.setAttribute('aria-label', `Result ${rank + 1}: ${name}`);
      if (label !== undefined && label !== null) card.dataset.label = String(label);

      const image = document.createElement('img');
      image.className = 'thumbnail';
      image.loading = 'lazy';
      image.alt = `Catalogue item ${hit.id} (${name})`;
      image.src = `/v1/images/${encodeURIComponent(hit.id)}/thumbnail`;

      const caption = document.createElement('div');
      caption.className = 'caption';
      const labelLine = document.createElement('span');
      labelLine.className = 'hit-label';
      labelLine.textContent = name;
      const distance = document.createElement('span');
      distance.className = 'hit-distance';
      distance.textContent = `d = ${hit.distance.toFixed(3)}`;
      distance.title = 'cosine distance (0 = same direction)';
      const id = document.createElement('span');
      id.className = 'hit-id';
      id.textContent = `#${hit.id}`;
      caption.append(labelLine, distance, id);

      card.append(image, caption);
      return card;
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Panel 2: fraud scoring

const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;
/** Fields a person types; the label and the columns the model ignores are left off the form. */
const FORM_ROLES = new Set([
  'transactionId',
  'time',
  'date',
  'timeOfDay',
  'amount',
  'entity',
  'categorical',
  'numeric',
]);
/** Fields that must change from one transaction to the next. */
const MOVING_ROLES = new Set(['transactionId', 'time', 'date', 'timeOfDay']);
const ROLE_NAMES = {
  transactionId: 'transaction id',
  time: 'time',
  date: 'date',
  timeOfDay: 'time of day',
  amount: 'amount',
  entity: 'key',
  categorical: 'category',
  numeric: 'number',
};

/** The fields of the model's requests, as /v1/info describes them. */
let fraudFields = [];

function setupFraudPanel(fraud) {
  $('fraud-panel').hidden = false;
  fraudFields = (fraud.transaction?.fields ?? []).filter((field) => FORM_ROLES.has(field.role));
  $('fraud-fields').replaceChildren(...fraudFields.map(fieldInput));
  $('fraud-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void scoreTransaction();
  });
  $('example-button').addEventListener('click', () => void fillExample(true));
  void fillExample(true);
}

/** One labelled input per field: the column's name, what it is for, its description as a tip. */
function fieldInput(field) {
  const label = document.createElement('label');
  label.className = 'field';
  const name = document.createElement('span');
  name.textContent = `${field.name} · ${ROLE_NAMES[field.role] ?? field.role}`;
  const input = document.createElement('input');
  input.name = field.name;
  input.autocomplete = 'off';
  input.title = field.description;
  input.dataset.role = field.role;
  input.dataset.types = field.types.join(' ');
  if (field.types[0] === 'number') input.inputMode = 'decimal';
  label.append(name, input);
  return label;
}

/**
 * Puts a transaction the service would accept into the form: every field (`all`), or only the
 * id and time (after a score, so the next one is new and later).
 */
async function fillExample(all) {
  const result = await callApi('/v1/fraud/example', { headers: { accept: 'application/json' } });
  const example = result.ok ? result.body?.transaction : undefined;
  if (example === null || example === undefined) return false;
  for (const input of $('fraud-form').querySelectorAll('input[name]')) {
    if (!all && !MOVING_ROLES.has(input.dataset.role)) continue;
    const value = example[input.name];
    input.value = value === undefined ? '' : String(value);
  }
  return true;
}

/**
 * Reads the form: a field whose first type is number is sent as a number when it reads as one
 * (an amount, an epoch time); ids and keys stay text, so a 19-digit card number keeps its digits.
 * Empty optional fields are left out.
 */
function readTransaction() {
  const transaction = {};
  for (const input of $('fraud-form').querySelectorAll('input[name]')) {
    const text = input.value.trim();
    if (text === '') continue;
    const numeric = input.dataset.types?.startsWith('number') === true;
    transaction[input.name] = numeric && NUMBER.test(text) ? Number(text) : text;
  }
  return transaction;
}

async function scoreTransaction() {
  const errorBox = $('fraud-error');
  const button = $('score-button');
  clearError(errorBox);
  button.disabled = true;
  const transaction = readTransaction();
  const result = await callApi('/v1/fraud/score', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(transaction),
  });
  button.disabled = false;
  if (!result.ok) {
    showError(errorBox, result);
    $('fraud-result').classList.add('stale');
    const code = result.body?.error?.code;
    if (
      (code === 'DUPLICATE_TRANSACTION' || code === 'OUT_OF_ORDER') &&
      (await fillExample(false))
    ) {
      errorBox.append(' The form now holds a new id and a later time: submit again.');
    }
    return;
  }
  renderScore(result);
  await fillExample(false);
}

function renderScore(result) {
  const body = result.body;
  $('fraud-result').hidden = false;
  $('fraud-result').classList.remove('stale');
  $('fraud-transaction').textContent = String(body.transactionId);
  $('fraud-score').textContent = body.score.toFixed(4);
  const decision = $('fraud-decision');
  decision.textContent = body.decision;
  decision.className = `decision ${body.decision === 'alert' ? 'alert' : 'pass'}`;
  $('fraud-threshold').textContent = body.threshold.toFixed(4);
  const server = typeof body.tookMs === 'number' ? body.tookMs : serverTiming(result.headers);
  // The score response carries no server time; show one only when a Server-Timing header does.
  $('fraud-server-row').hidden = server === undefined;
  $('fraud-server-ms').textContent = formatMs(server);
  $('fraud-roundtrip-ms').textContent = formatMs(result.ms);
  const rows = Object.entries(body.features ?? {}).map(([name, value]) => {
    const row = document.createElement('tr');
    const nameCell = document.createElement('th');
    nameCell.scope = 'row';
    nameCell.textContent = name;
    const valueCell = document.createElement('td');
    valueCell.className = 'num';
    valueCell.textContent = formatValue(value);
    row.append(nameCell, valueCell);
    return row;
  });
  $('fraud-features').replaceChildren(...rows);
}

// ---------------------------------------------------------------------------------------------

async function start() {
  const status = $('service-status');
  const result = await callApi('/v1/info', { headers: { accept: 'application/json' } });
  if (!result.ok || result.body === null) {
    status.textContent = 'The service did not answer /v1/info.';
    status.classList.add('bad');
    return;
  }
  const { fraud, images } = result.body;
  const parts = [];
  if (images) {
    setupImagesPanel(images);
    parts.push(`image index ${images.version ?? ''} (${images.count} images, ${images.dim}-d)`);
  }
  if (fraud) {
    setupFraudPanel(fraud);
    parts.push(`fraud model ${fraud.version ?? ''} (${fraud.store ?? 'memory'} state)`);
  }
  if (!images && !fraud) $('nothing-loaded').hidden = false;
  status.textContent = parts.length > 0 ? `Serving ${parts.join(' · ')}` : 'Nothing loaded.';
  document.body.dataset.ready = 'true';
}

void start();
