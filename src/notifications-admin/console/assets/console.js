// @ts-check
/**
 * The operators' console (CONTRACT §7): plain browser script, served as a
 * file of the module under a Content-Security-Policy that allows nothing
 * else. Everything shown that came from the API (and so from a receiver or a
 * payload) is put in the page as text: nodes are built here and strings only
 * ever become text nodes, never markup. The page's Trusted Types policy makes
 * any `innerHTML`-style assignment throw, so a slip here breaks loudly.
 *
 * The admin key lives in sessionStorage (this tab only, gone when it closes)
 * and travels in the Authorization header only, never in a URL.
 */
'use strict';

/**
 * @typedef {{ name: string, error: string, status: number }} Envelope
 * @typedef {{ id: string, status: string, responseStatus: number | null, error: string | null,
 *   retriggeredBy: string | null, createdAt: string, completedAt: string | null }} LastAttempt
 * @typedef {{ id: string, eventType: string, status: string, createdAt: string, attemptCount: number,
 *   lastAttempt: LastAttempt | null }} NotificationItem
 * @typedef {{ items: NotificationItem[], nextCursor: string | null }} NotificationPage
 * @typedef {{ webhookNotificationId: string, retriggeredNotificationRequestId: string | null,
 *   error: string | null, reason?: string | null, responseStatus?: number | null,
 *   signatureAgeSeconds?: number | null, warning?: string | null }} RetriggerItem
 * @typedef {{ retriggerId?: string | null, signature?: string, dryRun?: boolean, totalRequested: number,
 *   totalSuccess: number, totalFailed: number, successfulNotifications: RetriggerItem[],
 *   failedNotifications: RetriggerItem[] }} RetriggerAnswer
 * @typedef {{ id: string, url: string, status: string, responseStatus: number | null,
 *   responseBody: string | null, error: string | null, durationMs: number | null,
 *   retriggeredBy: string | null, createdAt: string, completedAt: string | null }} Attempt
 * @typedef {{ items: Attempt[] }} AttemptPage
 * @typedef {{ id: string, principal: string, reason: string | null, signature: string, totalRequested: number,
 *   totalSuccess: number, totalFailed: number, createdAt: string, completedAt: string | null }} AuditRecord
 * @typedef {{ items: AuditRecord[], nextCursor: string | null }} AuditPage
 */

(() => {
  const KEY_STORAGE = 'notifications-admin.console.apiKey';
  /** One page is as many as one retrigger takes. */
  const PAGE_SIZE = 25;
  const MAX_SELECTED = 25;
  const HISTORY_SIZE = 50;
  const AUDIT_SIZE = 10;

  // This script is served at {prefix}/console/console.js; the API it calls is {prefix}/webhooks/.
  const script = /** @type {HTMLScriptElement} */ (document.currentScript);
  const apiBase = new URL('../webhooks/', script.src);

  /** An answer of the admin API that is not a success, as its envelope says. */
  class ApiError extends Error {
    /** @param {Envelope} envelope */
    constructor(envelope) {
      super(envelope.error);
      this.envelope = envelope;
    }
  }

  /**
   * @template {HTMLElement} T
   * @param {string} id
   * @param {new () => T} type
   * @returns {T}
   */
  function byId(id, type) {
    const element = document.getElementById(id);
    if (!(element instanceof type)) {
      throw new Error(`console page has no #${id}`);
    }
    return element;
  }

  const ui = {
    apiKey: byId('api-key', HTMLInputElement),
    webhookId: byId('webhook-id', HTMLInputElement),
    statusFilter: byId('status-filter', HTMLSelectElement),
    load: byId('load', HTMLButtonElement),
    forgetKey: byId('forget-key', HTMLButtonElement),
    error: byId('error', HTMLElement),
    listStatus: byId('list-status', HTMLElement),
    notifications: byId('notifications', HTMLTableElement),
    nextPage: byId('next-page', HTMLButtonElement),
    selection: byId('selection', HTMLElement),
    signature: byId('signature', HTMLSelectElement),
    reason: byId('reason', HTMLInputElement),
    dryRun: byId('dry-run', HTMLButtonElement),
    retrigger: byId('retrigger', HTMLButtonElement),
    resultsPanel: byId('results-panel', HTMLElement),
    resultsSummary: byId('results-summary', HTMLElement),
    results: byId('results', HTMLTableElement),
    historyPanel: byId('history-panel', HTMLElement),
    historyFor: byId('history-for', HTMLElement),
    history: byId('history', HTMLTableElement),
    auditStatus: byId('audit-status', HTMLElement),
    audit: byId('audit', HTMLTableElement),
  };

  const state = {
    /** The webhook whose notifications are listed: retriggers and history go to it. */
    webhookId: '',
    status: '',
    /** @type {string | null} */
    nextCursor: null,
    /** Selected notification ids, in the order they were picked (the retrigger's request order). */
    selected: new Set(/** @type {string[]} */ ([])),
  };

  // ---- building the page: strings only ever become text nodes

  /**
   * @param {string} tag
   * @param {Record<string, string>} [attributes]
   * @param {Array<Node | string | number | null | undefined>} [children]
   * @returns {HTMLElement}
   */
  function h(tag, attributes = {}, children = []) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      element.setAttribute(name, value);
    }
    for (const child of children) {
      element.append(child instanceof Node ? child : text(child));
    }
    return element;
  }

  /** @param {string | number | null | undefined} value */
  function text(value) {
    return document.createTextNode(value === null || value === undefined ? '—' : String(value));
  }

  /** @param {HTMLTableElement} table @param {Node[]} rows */
  function fillTable(table, rows) {
    table.tBodies[0].replaceChildren(...rows);
  }

  /** @param {string | null | undefined} iso */
  function when(iso) {
    return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : null;
  }

  // ---- the admin API

  /**
   * @param {string} path relative to {prefix}/webhooks/
   * @param {{ method?: string, body?: unknown }} [options]
   * @returns {Promise<unknown>}
   */
  async function api(path, options = {}) {
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json', Authorization: `Bearer ${ui.apiKey.value.trim()}` };
    /** @type {RequestInit} */
    // Same-origin cookies go along: a host whose admin check reads its own session can serve operators too.
    const init = { method: options.method ?? 'GET', headers, credentials: 'same-origin', cache: 'no-store' };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    let response;
    try {
      response = await fetch(new URL(path, apiBase), init);
    } catch (error) {
      throw new ApiError({ name: 'NetworkError', error: describe(error), status: 0 });
    }
    /** @type {unknown} */
    let answer = null;
    try {
      answer = await response.json();
    } catch {
      // Not JSON: told below by status.
    }
    if (response.ok && answer !== null) {
      return answer;
    }
    if (isEnvelope(answer)) {
      throw new ApiError(answer);
    }
    throw new ApiError({
      name: 'UnexpectedResponse',
      error: `HTTP ${response.status} without an error envelope`,
      status: response.status,
    });
  }

  /** @param {unknown} value @returns {value is Envelope} */
  function isEnvelope(value) {
    const candidate = /** @type {Partial<Envelope> | null} */ (value);
    return typeof candidate?.name === 'string' && typeof candidate.error === 'string';
  }

  /** @param {unknown} error */
  function describe(error) {
    return error instanceof Error ? error.message : String(error);
  }

  /**
   * The error as an envelope: the API's own, or UnexpectedError (status 0: no HTTP answer) for anything else.
   * @param {unknown} error
   * @returns {Envelope}
   */
  function envelopeOf(error) {
    return error instanceof ApiError ? error.envelope : { name: 'UnexpectedError', error: describe(error), status: 0 };
  }

  /** @param {string} id */
  function segment(id) {
    return encodeURIComponent(id.trim());
  }

  // ---- errors and busy state

  /** @param {unknown} error */
  function showError(error) {
    const envelope = envelopeOf(error);
    ui.error.replaceChildren(
      h('strong', {}, [envelope.name]),
      text(`: ${envelope.error}`),
      envelope.status ? text(` (HTTP ${envelope.status})`) : text(''),
    );
    ui.error.hidden = false;
  }

  function clearError() {
    ui.error.hidden = true;
    ui.error.replaceChildren();
  }

  /**
   * Runs one user action: buttons off while it runs, its failure shown.
   * @param {() => Promise<void>} action
   */
  async function run(action) {
    const buttons = [ui.load, ui.nextPage, ui.dryRun, ui.retrigger];
    buttons.forEach((button) => (button.disabled = true));
    document.body.setAttribute('aria-busy', 'true');
    clearError();
    try {
      await action();
    } catch (error) {
      showError(error);
    } finally {
      buttons.forEach((button) => (button.disabled = false));
      document.body.removeAttribute('aria-busy');
    }
  }

  // ---- the notification list

  async function load() {
    const webhookId = ui.webhookId.value.trim();
    if (webhookId !== state.webhookId) {
      state.selected.clear();
      ui.resultsPanel.hidden = true;
      ui.historyPanel.hidden = true;
      fillTable(ui.audit, []);
      ui.auditStatus.textContent = '';
    }
    state.webhookId = webhookId;
    state.status = ui.statusFilter.value;
    await showPage(null);
    await loadAudit();
  }

  /** @param {string | null} cursor */
  async function showPage(cursor) {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (state.status) {
      query.set('status', state.status);
    }
    if (cursor) {
      query.set('cursor', cursor);
    }
    const page = /** @type {NotificationPage} */ (
      await api(`${segment(state.webhookId)}/notifications?${query.toString()}`)
    );
    state.nextCursor = page.nextCursor;
    fillTable(ui.notifications, page.items.map(notificationRow));
    ui.nextPage.hidden = page.nextCursor === null;
    const filter = state.status ? `${state.status} ` : '';
    ui.listStatus.textContent =
      page.items.length === 0
        ? `No ${filter}notifications${cursor ? ' on this page' : ''}.`
        : `${page.items.length} ${filter}notification${page.items.length === 1 ? '' : 's'}, newest first${
            cursor ? ' (a later page)' : ''
          }.`;
    updateSelection();
  }

  /** @param {NotificationItem} item */
  function notificationRow(item) {
    const checkbox = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', value: item.id }));
    checkbox.checked = state.selected.has(item.id);
    checkbox.addEventListener('change', () => {
      if (checkbox.checked) {
        state.selected.add(item.id);
      } else {
        state.selected.delete(item.id);
      }
      updateSelection();
    });
    const history = h('button', { type: 'button', 'aria-label': `History of ${item.id}` }, ['History']);
    history.addEventListener('click', () => void run(() => showHistory(item.id)));
    const last = item.lastAttempt;
    return h('tr', {}, [
      // The label is the id itself: the checkbox's accessible name.
      h('td', {}, [h('label', { class: 'select' }, [checkbox, h('code', {}, [item.id])])]),
      h('td', {}, [item.eventType]),
      h('td', {}, [h('span', { class: `badge ${item.status}` }, [item.status])]),
      h('td', {}, [when(item.createdAt)]),
      h('td', { class: 'number' }, [item.attemptCount]),
      h('td', {}, [
        last
          ? [last.status, last.responseStatus === null ? '' : String(last.responseStatus), last.error ?? '']
              .filter(Boolean)
              .join(' · ')
          : null,
      ]),
      h('td', {}, [history]),
    ]);
  }

  /** Keeps the count in words and holds the boxes still free once 25 are picked. */
  function updateSelection() {
    const full = state.selected.size >= MAX_SELECTED;
    for (const checkbox of ui.notifications.querySelectorAll('input[type="checkbox"]')) {
      const box = /** @type {HTMLInputElement} */ (checkbox);
      box.disabled = full && !box.checked;
    }
    ui.selection.textContent = `${state.selected.size} selected (at most ${MAX_SELECTED}${
      full ? ': the most one retrigger takes' : ''
    }).`;
  }

  // ---- retrigger and dry run

  /** @param {boolean} dryRun */
  async function retrigger(dryRun) {
    const ids = [...state.selected];
    const reason = ui.reason.value.trim();
    const webhookId = state.webhookId || ui.webhookId.value.trim();
    const answer = /** @type {RetriggerAnswer} */ (
      await api(`${segment(webhookId)}/notifications/retrigger`, {
        method: 'POST',
        body: {
          webhookNotificationIds: ids,
          signature: ui.signature.value,
          ...(reason ? { reason } : {}),
          dryRun,
        },
      })
    );
    showResults(ids, answer, dryRun);
    if (!dryRun) {
      state.selected.clear();
      await showPage(null);
      await loadAudit();
    }
  }

  /**
   * @param {string[]} requested
   * @param {RetriggerAnswer} answer
   * @param {boolean} dryRun
   */
  function showResults(requested, answer, dryRun) {
    /** @type {Map<string, { item: RetriggerItem, succeeded: boolean }>} */
    const outcomes = new Map();
    answer.successfulNotifications.forEach((item) =>
      outcomes.set(item.webhookNotificationId, { item, succeeded: true }),
    );
    answer.failedNotifications.forEach((item) => outcomes.set(item.webhookNotificationId, { item, succeeded: false }));
    const rows = requested.map((id) => {
      const outcome = outcomes.get(id);
      const item = outcome?.item;
      const label = outcome ? (outcome.succeeded ? 'succeeded' : 'failed') : 'not answered';
      return h('tr', {}, [
        h('td', {}, [h('code', {}, [id])]),
        h('td', {}, [h('span', { class: `badge ${outcome?.succeeded ? 'delivered' : 'failed'}` }, [label])]),
        h('td', {}, [item?.reason ? h('code', {}, [item.reason]) : null]),
        h('td', { class: 'number' }, [item?.responseStatus]),
        h('td', { class: 'number' }, [item?.signatureAgeSeconds]),
        h('td', {}, [item?.warning]),
        h('td', {}, [item?.error]),
      ]);
    });
    fillTable(ui.results, rows);
    const totals = `${answer.totalRequested} requested, ${answer.totalSuccess} succeeded, ${answer.totalFailed} failed`;
    const mode = answer.signature ? `, signature ${answer.signature}` : '';
    ui.resultsSummary.textContent = dryRun
      ? `Dry run: ${totals}${mode}. Nothing was sent or recorded.`
      : `Retrigger${answer.retriggerId ? ` ${answer.retriggerId}` : ''}: ${totals}${mode}.`;
    ui.resultsPanel.hidden = false;
  }

  // ---- attempt history

  /** @param {string} notificationId */
  async function showHistory(notificationId) {
    const page = /** @type {AttemptPage} */ (
      await api(`${segment(state.webhookId)}/notifications/${segment(notificationId)}/requests?limit=${HISTORY_SIZE}`)
    );
    ui.historyFor.replaceChildren(
      text(`${page.items.length} attempt${page.items.length === 1 ? '' : 's'} of `),
      h('code', {}, [notificationId]),
      text(', newest first.'),
    );
    fillTable(
      ui.history,
      page.items.map((attempt) =>
        h('tr', {}, [
          h('td', {}, [h('code', {}, [attempt.id])]),
          h('td', {}, [attempt.status]),
          h('td', { class: 'number' }, [attempt.responseStatus]),
          h('td', {}, [attempt.responseBody === null ? null : h('pre', { class: 'body' }, [attempt.responseBody])]),
          h('td', {}, [attempt.error]),
          h('td', { class: 'number' }, [attempt.durationMs]),
          h('td', {}, [attempt.retriggeredBy ?? 'platform']),
          h('td', {}, [when(attempt.createdAt)]),
        ]),
      ),
    );
    ui.historyPanel.hidden = false;
    ui.historyPanel.scrollIntoView({ block: 'nearest' });
  }

  // ---- the webhook's recent retriggers (audit records)

  async function loadAudit() {
    try {
      const page = /** @type {AuditPage} */ (await api(`${segment(state.webhookId)}/retriggers?limit=${AUDIT_SIZE}`));
      ui.auditStatus.textContent =
        page.items.length === 0 ? 'No retriggers of this webhook yet.' : `The last ${page.items.length}, newest first.`;
      fillTable(
        ui.audit,
        page.items.map((record) =>
          h('tr', {}, [
            h('td', {}, [when(record.createdAt)]),
            h('td', {}, [record.principal]),
            h('td', {}, [record.reason]),
            h('td', {}, [record.signature]),
            h('td', { class: 'number' }, [record.totalRequested]),
            h('td', { class: 'number' }, [record.totalSuccess]),
            h('td', { class: 'number' }, [record.totalFailed]),
            h('td', {}, [when(record.completedAt) ?? 'not completed']),
          ]),
        ),
      );
    } catch (error) {
      // The list above loaded; a failure here belongs to this section only.
      const envelope = envelopeOf(error);
      ui.auditStatus.textContent = `${envelope.name}: ${envelope.error}`;
      fillTable(ui.audit, []);
    }
  }

  // ---- the key: this tab's sessionStorage only

  ui.apiKey.value = sessionStorage.getItem(KEY_STORAGE) ?? '';
  ui.apiKey.addEventListener('input', () => {
    const key = ui.apiKey.value.trim();
    if (key) {
      sessionStorage.setItem(KEY_STORAGE, key);
    } else {
      sessionStorage.removeItem(KEY_STORAGE);
    }
  });
  ui.forgetKey.addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    ui.apiKey.value = '';
    ui.apiKey.focus();
  });

  ui.load.addEventListener('click', () => void run(load));
  ui.webhookId.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      void run(load);
    }
  });
  ui.nextPage.addEventListener('click', () => void run(() => showPage(state.nextCursor)));
  ui.dryRun.addEventListener('click', () => void run(() => retrigger(true)));
  ui.retrigger.addEventListener('click', () => void run(() => retrigger(false)));
  updateSelection();
})();
