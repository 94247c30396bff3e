'use strict';
/**
 * Extra HTTP routes beyond GraphQL and part 1's control API:
 * - `apiRoutes`: handlers on the API listener, each `async (sandbox, req, res, url, rawBody) => boolean`
 *   (true when it answered): the public prefill REST endpoints.
 * - `storageRoutes`: the same on the storage listener (none yet).
 * - `controlRoutes(sandbox)`: more `/__sandbox/` endpoints, merged into lib/control.js's table
 *   (`'METHOD /__sandbox/path': (body, params, url) => json`): notifications, webhooks, prefill.
 *
 * Prefill (ds-api.md): `POST /api/public/v1/demarches/{number}/dossiers`, no auth, Content-Type exactly
 * `application/json`, body `{"champ_<champ ID>": value, identite_prenom, identite_nom, identite_genre}`
 * → 201 {dossier_url, state: "prefilled", dossier_id, dossier_number, dossier_prefill_token}; values that
 * do not fit their champ are skipped silently. `GET` the same path with `?prefill_token=a,b` → the status
 * of those dossiers. Both throttled per IP (15 per 15 s by default, fixed window, sandbox clock).
 * A prefilled dossier is a brouillon: invisible to the GraphQL API until the usager submits it
 * (control API `act/prefilled`), then it is an ordinary dossier with the same number, `prefilled: true`.
 */
const crypto = require('crypto');
const { decodeGlobalId, globalId, parseDateTime } = require('./util');
const { sendJson } = require('./api');
const { webhooksOf } = require('./webhooks');

const PREFILL_PATH = /^\/api\/public\/v1\/demarches\/(\d+)\/dossiers\/?$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const DEFAULT_PREFILL_THROTTLE = { limit: 15, periodSeconds: 15 };

function httpError(status, message) {
	return Object.assign(new Error(message), { status });
}

/** Per-store prefill state: a reset forgets prefilled dossiers and throttle counters. */
function prefillOf(sandbox) {
	const store = sandbox.store;
	if (!store.prefill) store.prefill = { byToken: new Map(), counters: new Map() };
	if (!sandbox.prefillThrottle) sandbox.prefillThrottle = { ...DEFAULT_PREFILL_THROTTLE };
	return store.prefill;
}

/** Rack::Attack style fixed window per IP; @returns {{throttled: boolean, reset: number}} */
function prefillThrottleHit(sandbox, ip) {
	const prefill = prefillOf(sandbox);
	const { limit, periodSeconds } = sandbox.prefillThrottle;
	const now = Math.floor(sandbox.store.now() / 1000);
	const key = `${Math.floor(now / periodSeconds)}:${ip}`;
	const count = (prefill.counters.get(key) || 0) + 1;
	if (prefill.counters.size > 10000) prefill.counters.clear();
	prefill.counters.set(key, count);
	return { throttled: count > limit, reset: now + (periodSeconds - (now % periodSeconds)) };
}

// --- prefill values ----------------------------------------------------------------------------

let prefillRowSequence = 0;

const asBoolean = (v) =>
	v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined;

/** A prefill value → the raw value for `desc` (generate.js formats), or undefined to skip it. */
function prefillRaw(desc, value) {
	if (value === null || value === undefined) return undefined;
	switch (desc.type) {
		case 'text':
		case 'textarea':
		case 'phone':
		case 'iban':
		case 'formatted':
			return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
		case 'email':
			return typeof value === 'string' && EMAIL.test(value) ? value : undefined;
		case 'integer_number':
			return /^-?\d+$/.test(String(value))
				? String(value).replace(/^(-?)0+(?=\d)/, '$1')
				: undefined;
		case 'decimal_number': {
			const n = typeof value === 'number' ? value : Number(String(value).replace(',', '.'));
			return String(value).trim() !== '' && Number.isFinite(n) ? n : undefined;
		}
		case 'date':
			return typeof value === 'string' &&
				/^\d{4}-\d\d-\d\d$/.test(value) &&
				!Number.isNaN(Date.parse(value))
				? value
				: undefined;
		case 'datetime': {
			const ms = typeof value === 'string' ? parseDateTime(value) : null;
			return ms === null || Number.isNaN(ms) ? undefined : ms;
		}
		case 'checkbox':
		case 'yes_no':
			return asBoolean(value);
		case 'drop_down_list':
			return (desc.options || []).includes(value) ? value : undefined;
		case 'multiple_drop_down_list': {
			const chosen = (Array.isArray(value) ? value : [value]).filter((v) =>
				(desc.options || []).includes(v),
			);
			return chosen.length ? [...new Set(chosen)] : undefined;
		}
		case 'civilite':
			return value === 'M' || value === 'Mme' ? value : undefined;
		case 'dossier_link':
			return /^\d+$/.test(String(value)) ? Number(value) : undefined;
		case 'repetition': {
			if (!Array.isArray(value)) return undefined;
			const rows = [];
			value.forEach((row, i) => {
				if (!row || typeof row !== 'object') return;
				const values = champValues(desc.children, row);
				prefillRowSequence += 1;
				if (Object.keys(values).length) rows.push({ rowId: `8${prefillRowSequence}`, values });
			});
			return rows.length ? rows : undefined;
		}
		default:
			return undefined; // not prefillable in the sandbox (files, maps, referentials...)
	}
}

/** `{"champ_<champ ID>": value}` → `{[stableId]: raw}` for the given descriptors; the rest is ignored. */
function champValues(descs, body) {
	const out = {};
	for (const [key, value] of Object.entries(body)) {
		if (!key.startsWith('champ_')) continue;
		const decoded = decodeGlobalId(key.slice('champ_'.length));
		if (!decoded || decoded.type !== 'Champ') continue;
		const desc = descs.find((d) => String(d.stableId) === decoded.id);
		if (!desc) continue;
		const raw = prefillRaw(desc, value);
		if (raw !== undefined) out[desc.stableId] = raw;
	}
	return out;
}

function identiteOf(body) {
	const identite = {};
	if (typeof body.identite_prenom === 'string' && body.identite_prenom.trim())
		identite.prenom = body.identite_prenom.trim();
	if (typeof body.identite_nom === 'string' && body.identite_nom.trim())
		identite.nom = body.identite_nom.trim();
	if (body.identite_genre === 'M' || body.identite_genre === 'Mme')
		identite.civilite = body.identite_genre;
	return identite;
}

function prefillStatus(sandbox, entry) {
	const record = entry.submitted ? sandbox.store.getDossier(entry.number) : null;
	return {
		dossier_id: globalId('Dossier', entry.number),
		dossier_number: entry.number,
		dossier_prefill_token: entry.token,
		state: record ? record.state : entry.claimed ? 'brouillon' : 'prefilled',
		submitted_at: record ? new Date(record.depotAt).toISOString() : null,
		processed_at:
			record && record.traitementAt ? new Date(record.traitementAt).toISOString() : null,
	};
}

async function prefillRoute(sandbox, req, res, url, rawBody) {
	const match = PREFILL_PATH.exec(url.pathname);
	if (!match) return false;
	if (req.method !== 'POST' && req.method !== 'GET') {
		sendJson(res, 405, { error: 'Method not allowed' });
		return true;
	}
	const ip = (req.socket.remoteAddress || '').replace(/^::ffff:/, '');
	const hit = prefillThrottleHit(sandbox, ip);
	if (hit.throttled) {
		res.writeHead(429, {
			'Content-Type': 'text/plain; charset=utf-8',
			'RateLimit-Remaining': '0',
			'RateLimit-Reset': String(hit.reset),
		});
		res.end('Retry later\n');
		return true;
	}
	const store = sandbox.store;
	const demarcheNumber = Number(match[1]);
	const demarche = store.demarches.get(demarcheNumber);
	if (!demarche || demarche.state === 'brouillon') {
		sendJson(res, 404, { error: `Demarche ${demarcheNumber} is not found` }); // sandbox wording
		return true;
	}
	const prefill = prefillOf(sandbox);
	if (req.method === 'GET') {
		const tokens = String(url.searchParams.get('prefill_token') || '')
			.split(',')
			.map((t) => t.trim())
			.filter(Boolean);
		const found = tokens
			.map((t) => prefill.byToken.get(t))
			.filter((entry) => entry && entry.demarche === demarcheNumber);
		sendJson(
			res,
			200,
			found.map((entry) => prefillStatus(sandbox, entry)),
		);
		return true;
	}
	// The platform compares the header as a whole: "application/json; charset=utf-8" is refused.
	if (req.headers['content-type'] !== 'application/json') {
		sendJson(res, 400, { error: 'Content type must be application/json' });
		return true;
	}
	let body;
	try {
		body = JSON.parse(rawBody.toString('utf8') || '{}');
	} catch {
		body = null;
	}
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		sendJson(res, 400, { error: 'Body must be a JSON object' }); // sandbox wording
		return true;
	}
	const revision = store.revisions.get(demarche.activeRevisionId);
	const entry = {
		token: crypto.randomBytes(18).toString('base64url'),
		number: store.nextDossierNumber++,
		demarche: demarcheNumber,
		values: champValues(revision.champs, body),
		identite: demarche.forIndividual ? identiteOf(body) : {},
		createdAt: store.now(),
		claimed: false,
		submitted: false,
	};
	prefill.byToken.set(entry.token, entry);
	sendJson(res, 201, {
		dossier_url: `${sandbox.publicBaseUrl()}/commencer/demarche-${demarcheNumber}?prefill_token=${entry.token}`,
		state: 'prefilled',
		dossier_id: globalId('Dossier', entry.number),
		dossier_number: entry.number,
		dossier_prefill_token: entry.token,
	});
	return true;
}

/** The usager opens the link (claim) and later submits: the brouillon becomes an en_construction dossier. */
function actOnPrefilled(sandbox, body) {
	const store = sandbox.store;
	const entry = prefillOf(sandbox).byToken.get(String(body.token));
	if (!entry) throw httpError(404, `No prefilled dossier with token ${body.token}`);
	if (body.action === 'claim') {
		entry.claimed = true;
		return prefillStatus(sandbox, entry);
	}
	if (body.action !== 'submit') throw httpError(400, 'action is "claim" or "submit"');
	if (entry.submitted) throw httpError(409, `Dossier ${entry.number} was already submitted`);
	// The dossier keeps the number the prefill call returned.
	const next = store.nextDossierNumber;
	store.nextDossierNumber = entry.number;
	let record;
	try {
		record = store.deposit(entry.demarche, {
			at: body.at !== undefined ? parseDateTime(body.at) : undefined,
			email: body.email,
		});
	} finally {
		store.nextDossierNumber = next;
	}
	record.prefilled = true;
	record.prefilledStableIds = Object.keys(entry.values).map(Number);
	if (Object.keys(entry.identite).length)
		store.ovr(record).demandeur = { ...store.content(record).demandeur, ...entry.identite };
	record.version += 1; // the content cache must see the prefilled demandeur
	if (Object.keys(entry.values).length)
		store.setValues(record.number, entry.values, { at: record.depotAt, event: false });
	entry.claimed = true;
	entry.submitted = true;
	return prefillStatus(sandbox, entry);
}

const apiRoutes = [prefillRoute];
const storageRoutes = [];

function controlRoutes(sandbox) {
	const hooks = () => webhooksOf(sandbox);
	const deliveriesView = (url) => {
		const kind = url.searchParams.get('kind');
		return hooks().deliveries.filter((d) => !kind || d.kind === kind);
	};
	return {
		/** E-mails the platform would have sent the usager (state changes, messages), with disableNotification. */
		'GET /__sandbox/notifications': () => sandbox.store.notifications || [],

		'GET /__sandbox/webhooks': () => ({
			legacy: Object.fromEntries(hooks().legacy),
			v2: [...hooks().v2.values()],
			timeoutMs: hooks().timeoutMs,
		}),
		/** The démarche's legacy webhook URL (an admin sets it by hand on the platform); url null removes it. */
		'POST /__sandbox/webhooks/legacy': (body) => {
			if (!sandbox.store.demarches.has(Number(body.demarche)))
				throw httpError(404, `Démarche ${body.demarche} not found`);
			hooks().setLegacyUrl(body.demarche, body.url);
			return { legacy: Object.fromEntries(hooks().legacy) };
		},
		'POST /__sandbox/webhooks/settings': (body) => {
			if (body.timeoutMs !== undefined) hooks().timeoutMs = Number(body.timeoutMs);
			return { timeoutMs: hooks().timeoutMs };
		},
		/** Delivery log; `?settle=1` waits for deliveries in flight first, `?kind=legacy|v2` filters. */
		'GET /__sandbox/webhooks/deliveries': async (_b, _p, url) => {
			if (url.searchParams.get('settle')) await hooks().settle();
			return deliveriesView(url);
		},
		'DELETE /__sandbox/webhooks/deliveries': () => {
			hooks().deliveries.length = 0;
			return { cleared: true };
		},
		/** Legacy delivery by hand of a dossier's current state (a duplicate when already delivered). */
		'POST /__sandbox/webhooks/deliver': async (body) => {
			const delivery = await hooks().deliverLegacyNow(body.dossier);
			if (!delivery) throw httpError(409, 'No legacy webhook URL for this dossier’s démarche');
			return delivery;
		},
		/** Send a delivery again, byte for byte (at-least-once: receivers must dedupe). */
		'POST /__sandbox/webhooks/redeliver': async (body) => {
			const delivery = await hooks().redeliver(body.delivery);
			if (!delivery) throw httpError(404, `No delivery ${body.delivery}`);
			return delivery;
		},

		'GET /__sandbox/prefill': () =>
			[...prefillOf(sandbox).byToken.values()].map((entry) => ({
				...prefillStatus(sandbox, entry),
				demarche: entry.demarche,
				values: entry.values,
				identite: entry.identite,
			})),
		'POST /__sandbox/prefill/throttle': (body) => {
			prefillOf(sandbox);
			if (body.limit !== undefined) sandbox.prefillThrottle.limit = Number(body.limit);
			if (body.periodSeconds !== undefined)
				sandbox.prefillThrottle.periodSeconds = Number(body.periodSeconds);
			sandbox.store.prefill.counters.clear();
			return sandbox.prefillThrottle;
		},
		/** `{token, action: "claim" | "submit", at?, email?}`: the usager opens the link, then submits. */
		'POST /__sandbox/act/prefilled': (body) => actOnPrefilled(sandbox, body),
	};
}

module.exports = { apiRoutes, storageRoutes, controlRoutes, prefillRaw };
