'use strict';
/**
 * Extra HTTP routes beyond GraphQL and part 1's control API:
 * - `apiRoutes`: handlers on the API listener, each `async (sandbox, req, res, url, rawBody) => boolean`
 *   (true when it answered): the public prefill REST endpoints.
 * - `storageRoutes`: the same on the storage listener (none yet).
 * - `controlRoutes(sandbox)`: more `/__sandbox/` endpoints, merged into lib/control.js's table
 *   (`'METHOD /__sandbox/path': (body, params, url) => json`): notifications, webhooks, prefill.
 *
 * Prefill (upstream app/controllers/api/public/v1/*, @449610574b; FIDELITY.md section 9):
 * `POST /api/public/v1/demarches/{number}/dossiers`, no auth, Content-Type exactly `application/json`
 * (else 400 "Content-Type should be json"), published or test (brouillon) démarches (else 404
 * "procedure <n> is not found"), body `{"champ_<champ ID>": value, identite_prenom, identite_nom,
 * identite_genre ("M." | "Mme")}` → 201 {dossier_url, state: "prefilled", dossier_id, dossier_number,
 * dossier_prefill_token}; blank values are skipped, validated types drop an invalid value, the others
 * are stored as given. `GET` the same path with `?prefill_token=a,b` (or `prefill_token[]=`) → that
 * démarche's prefilled dossiers in created_at order. POST throttled per IP (15 per 15 s, fixed window,
 * sandbox clock; PR #13951, none with `olderServer`).
 * A prefilled dossier is a brouillon: invisible to the GraphQL API until the usager submits it
 * (control API `act/prefilled`), then it is an ordinary dossier with the same number, `prefilled: true`.
 */
const crypto = require('crypto');
const { decodeGlobalId, globalId, parseDateTime, formatDateTime } = require('./util');
const C = require('./catalog');
const { sendJson } = require('./api');
const { webhooksOf } = require('./webhooks');

const PREFILL_PATH = /^\/api\/public\/v1\/demarches\/(\d+)\/dossiers\/?$/;
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
//
// PrefillChamps#build_prefill_values (prefill_champs.rb @449610574b): blank values are skipped
// (`present?`: "", null, [], {} and JSON false); the types of NEED_VALIDATION_TYPES_DE_CHAMPS drop
// an invalid value; the others are stored as given.

let prefillRowSequence = 0;

const PARIS_OFFSET = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' });

/** The offset of Paris at an instant, in ms (Time.zone = Paris). */
function parisOffsetMs(ms) {
	const name = PARIS_OFFSET.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName').value;
	const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
	return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60000 : 0;
}

/** Wall-clock parts read as Paris time → epoch ms. */
function parisWallClock(y, mo, d, h, mi, s = 0) {
	const guess = Date.UTC(y, mo - 1, d, h, mi, s);
	return guess - parisOffsetMs(guess - parisOffsetMs(guess));
}

/**
 * DatetimeChamp's prefill: ISO 8601 through `Time.zone.iso8601` (no offset → Paris), or
 * `dd/mm/yyyy hh:mm`, `yyyy-mm-dd hh:mm` (Paris). @returns {number | undefined} epoch ms
 */
function prefillDatetime(value) {
	if (typeof value !== 'string') return undefined;
	const text = value.trim();
	let m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
	if (m && m[7]) {
		const ms = Date.parse(text);
		return Number.isNaN(ms) ? undefined : ms;
	}
	if (m) return parisWallClock(+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] || 0));
	m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})$/.exec(text);
	if (m) return parisWallClock(+m[3], +m[2], +m[1], +m[4], +m[5]);
	m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text);
	if (m) return parisWallClock(+m[1], +m[2], +m[3], +m[4], +m[5]);
	return undefined;
}

/** DateDetectionUtils.parsable_iso8601_date?: three parts separated by - or /, no time. */
function prefillDate(value) {
	if (typeof value !== 'string') return undefined;
	const m = /^(\d{4})[-/](\d{2})[-/](\d{2})$/.exec(value.trim());
	if (!m) return undefined;
	const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
	return date.getUTCDate() === +m[3] && date.getUTCMonth() === +m[2] - 1 ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** `present?` in Ruby: nil, false, "" (or blank text), [] and {} are not. */
const present = (v) =>
	!(
		v === null ||
		v === undefined ||
		v === false ||
		(typeof v === 'string' && v.trim() === '') ||
		(Array.isArray(v) && v.length === 0) ||
		(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0)
	);

/** A prefill value → the raw value for `desc` (generate.js formats), or undefined to skip it. */
function prefillRaw(sandbox, desc, value) {
	if (!present(value)) return undefined;
	const text = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
	switch (desc.type) {
		// Stored as given (not in NEED_VALIDATION_TYPES_DE_CHAMPS).
		case 'text':
		case 'textarea':
		case 'email':
		case 'phone':
		case 'iban':
		case 'formatted':
		case 'drop_down_list':
		case 'siret':
			return text;
		case 'integer_number':
			return /^-?\d+$/.test(String(value).trim()) ? String(value).trim().replace(/^(-?)0+(?=\d)/, '$1') : undefined;
		case 'decimal_number': {
			const n = typeof value === 'number' ? value : Number(String(value).replace(',', '.'));
			return Number.isFinite(n) && /^-?[0-9]+([.,][0-9]{1,3})?$/.test(String(value).trim()) ? n : undefined;
		}
		case 'date':
			return prefillDate(value);
		case 'datetime':
			return prefillDatetime(value);
		case 'checkbox':
		case 'yes_no':
			// BooleanChamp: only the strings work; a JSON true is cast to "t", then "false" (inferred).
			if (value === 'true' || value === 'false') return value === 'true';
			return value === true ? false : undefined;
		case 'multiple_drop_down_list': {
			const list = Array.isArray(value) ? value : [value];
			// All or nothing.
			return list.every((v) => (desc.options || []).includes(v)) ? [...new Set(list)] : undefined;
		}
		case 'civilite':
			return value === 'M.' ? 'M' : value === 'Mme' ? 'Mme' : undefined;
		case 'pays':
			return C.PAYS.some((p) => p.code === text) ? text : undefined;
		case 'regions':
			return text && C.REGIONS[text] ? text : undefined;
		case 'departements':
			return text && C.DEPARTEMENTS[text] ? text : undefined;
		case 'epci':
			return C.EPCIS.some((e) => e.code === text) ? text : undefined;
		case 'dossier_link': {
			// An integer that names an existing dossier.
			if (!/^\d+$/.test(String(value))) return undefined;
			const number = Number(value);
			const exists =
				sandbox.store.getDossier(number) ||
				[...prefillOf(sandbox).byToken.values()].some((e) => e.number === number);
			return exists ? number : undefined;
		}
		case 'repetition': {
			if (!Array.isArray(value)) return undefined;
			const rows = [];
			value.forEach((row) => {
				if (!row || typeof row !== 'object' || Array.isArray(row)) return;
				const values = champValues(sandbox, desc.children, row);
				prefillRowSequence += 1;
				rows.push({ rowId: `8${prefillRowSequence}`, values });
			});
			return rows.length ? rows : undefined;
		}
		default:
			// Not prefillable (files, maps, referentials…), or not modelled (address, communes).
			return undefined;
	}
}

/** `{"champ_<champ ID>": value}` → `{[stableId]: raw}` for the given descriptors; the rest is ignored. */
function champValues(sandbox, descs, body) {
	const out = {};
	for (const [key, value] of Object.entries(body)) {
		if (!key.startsWith('champ_')) continue;
		// Champ.stable_id_from_typed_id: the type prefix inside the base64 is not checked.
		const decoded = decodeGlobalId(key.slice('champ_'.length));
		if (!decoded) continue;
		const desc = descs.find((d) => String(d.stableId) === decoded.id);
		if (!desc) continue;
		const raw = prefillRaw(sandbox, desc, value);
		if (raw !== undefined) out[desc.stableId] = raw;
	}
	return out;
}

/** PrefillIdentity#to_h: `identite_genre` kept only when exactly "M." or "Mme". */
function identiteOf(body) {
	const identite = {};
	if (typeof body.identite_prenom === 'string' && body.identite_prenom.trim())
		identite.prenom = body.identite_prenom.trim();
	if (typeof body.identite_nom === 'string' && body.identite_nom.trim())
		identite.nom = body.identite_nom.trim();
	if (body.identite_genre === 'M.') identite.civilite = 'M';
	if (body.identite_genre === 'Mme') identite.civilite = 'Mme';
	return identite;
}

/** ISO 8601, seconds, with the Paris offset (`depose_at&.iso8601`). */
const iso8601Paris = (ms) => formatDateTime(ms);

/** DossiersController#serialize_dossier: an orphan's link, or a claimed dossier's state and dates (nil ones omitted). */
function prefillStatus(sandbox, entry) {
	const ids = {
		dossier_id: globalId('Dossier', entry.number),
		dossier_number: entry.number,
		dossier_prefill_token: entry.token,
	};
	if (!entry.claimed)
		return { dossier_url: prefillUrl(sandbox, entry), state: 'prefilled', ...ids };
	const record = entry.submitted ? sandbox.store.getDossier(entry.number) : null;
	const status = { state: record ? record.state : 'brouillon' };
	if (record) status.submitted_at = iso8601Paris(record.depotAt);
	if (record && record.traitementAt) status.processed_at = iso8601Paris(record.traitementAt);
	return { ...status, ...ids };
}

const prefillUrl = (sandbox, entry) =>
	`${sandbox.publicBaseUrl()}/commencer/demarche-${entry.demarche}?prefill_token=${entry.token}`;

const COWBOY =
	"Calme toi, cowboy ! T'enchaines un peu trop les requêtes. Respire un peu réessaie dans un petit moment.\n" +
	"Calm down, cowboy! You're making too many requests. Take a breather and try again soon.\n";

async function prefillRoute(sandbox, req, res, url, rawBody) {
	const match = PREFILL_PATH.exec(url.pathname);
	if (!match) return false;
	if (req.method !== 'POST' && req.method !== 'GET') {
		sendJson(res, 405, { error: 'Method not allowed' }); // sandbox wording
		return true;
	}
	// Rack::Attack: POST only, since PR #13951 (before it the rule's path never matched).
	if (req.method === 'POST' && !sandbox.modes.olderServer) {
		const ip = (req.socket.remoteAddress || '').replace(/^::ffff:/, '');
		const hit = prefillThrottleHit(sandbox, ip);
		if (hit.throttled) {
			res.writeHead(429, { 'RateLimit-Remaining': '0', 'RateLimit-Reset': String(hit.reset) });
			res.end(COWBOY);
			return true;
		}
	}
	// base_controller.rb: the Content-Type is checked first, compared as a whole.
	if (req.method === 'POST' && req.headers['content-type'] !== 'application/json') {
		sendJson(res, 400, { error: 'Content-Type should be json' });
		return true;
	}
	const store = sandbox.store;
	const demarcheNumber = Number(match[1]);
	const demarche = store.demarches.get(demarcheNumber);
	// Procedure.publiees_ou_brouillons: test (brouillon) démarches too.
	if (!demarche || !['publiee', 'brouillon'].includes(demarche.state)) {
		sendJson(res, 404, { error: `procedure ${match[1]} is not found` });
		return true;
	}
	const prefill = prefillOf(sandbox);
	if (req.method === 'GET') {
		const tokens = [
			...String(url.searchParams.get('prefill_token') || '').split(','),
			...url.searchParams.getAll('prefill_token[]'),
		]
			.map((t) => t.trim())
			.filter(Boolean);
		const found = [...prefill.byToken.values()]
			.filter((entry) => tokens.includes(entry.token) && entry.demarche === demarcheNumber)
			.sort((a, b) => a.createdAt - b.createdAt || a.number - b.number);
		sendJson(
			res,
			200,
			found.map((entry) => prefillStatus(sandbox, entry)),
		);
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
		values: champValues(sandbox, revision.champs, body),
		identite: demarche.forIndividual ? identiteOf(body) : {},
		createdAt: store.now(),
		claimed: false,
		submitted: false,
	};
	prefill.byToken.set(entry.token, entry);
	sendJson(res, 201, {
		dossier_url: prefillUrl(sandbox, entry),
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

// --- public description of a démarche by its path --------------------------------------------
//
// `GET /preremplir/:path/schema` (routes.rb → api/public/v1/json_description_procedures#show,
// upstream @3363454360, unchanged since 3cec3c3ba3 of 2024-11): no token, the path normalised as
// find_with_path does (downcase, strip), among `Procedure.publiees_ou_brouillons.opendata` (else 404
// `{"error": "procedure <path> is not found"}`); 200 with the démarche's descriptor as JSON (the
// stored query ds-query-v2 `getDemarcheDescriptor`, includeRevision). The sandbox's paths are
// `demarche-<number>` (its demarcheURL); the revision is left out (FIDELITY.md 9.x).
const DESCRIPTION_PATH = /^\/preremplir\/([^/]+)\/schema\/?$/;

function demarcheOfPath(store, rawPath) {
	let path;
	try {
		path = decodeURIComponent(rawPath).trim().toLowerCase();
	} catch {
		return undefined;
	}
	const match = /^demarche-(\d+)$/.exec(path);
	const demarche = match ? store.demarches.get(Number(match[1])) : undefined;
	if (!demarche || !['publiee', 'brouillon'].includes(demarche.state)) return undefined;
	return demarche.opendata === false ? undefined : demarche;
}

async function publicDescriptionRoute(sandbox, req, res, url) {
	const match = DESCRIPTION_PATH.exec(url.pathname);
	if (!match || req.method !== 'GET') return false;
	const demarche = demarcheOfPath(sandbox.store, match[1]);
	if (!demarche) {
		sendJson(res, 404, { error: `procedure ${decodeURIComponent(match[1])} is not found` });
		return true;
	}
	const base = req.headers.host ? `http://${req.headers.host}` : sandbox.publicBaseUrl();
	sendJson(res, 200, {
		id: globalId('Procedure', demarche.number),
		number: demarche.number,
		title: demarche.title,
		description: demarche.description,
		state: demarche.state,
		declarative: demarche.declarative,
		dateCreation: formatDateTime(demarche.dateCreation),
		datePublication: formatDateTime(demarche.datePublication),
		dateDerniereModification: formatDateTime(demarche.dateDerniereModification),
		dateDepublication: null,
		dateFermeture: null,
		notice: null,
		deliberation: null,
		demarcheURL: `${base}/commencer/demarche-${demarche.number}`,
		cadreJuridiqueURL: 'https://www.legifrance.gouv.fr/',
	});
	return true;
}

const apiRoutes = [prefillRoute, publicDescriptionRoute];
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
			v2TimeoutMs: hooks().v2TimeoutMs,
			allowPrivateUrls: hooks().allowPrivateUrls,
		}),
		/** The démarche's legacy webhook URL (an admin sets it by hand on the platform); url null removes it. */
		'POST /__sandbox/webhooks/legacy': (body) => {
			if (!sandbox.store.demarches.has(Number(body.demarche)))
				throw httpError(404, `Démarche ${body.demarche} not found`);
			hooks().setLegacyUrl(body.demarche, body.url);
			return { legacy: Object.fromEntries(hooks().legacy) };
		},
		/**
		 * `timeoutMs` of legacy deliveries (10 s), `v2TimeoutMs` of v2 ones (15 s); `allowPrivateUrls`:
		 * let webhookCreer accept local and private URLs, which upstream refuses (a deliberate
		 * divergence, for a local test receiver).
		 */
		'POST /__sandbox/webhooks/settings': (body) => {
			if (body.timeoutMs !== undefined) hooks().timeoutMs = Number(body.timeoutMs);
			if (body.v2TimeoutMs !== undefined) hooks().v2TimeoutMs = Number(body.v2TimeoutMs);
			if (body.allowPrivateUrls !== undefined) hooks().allowPrivateUrls = Boolean(body.allowPrivateUrls);
			return {
				timeoutMs: hooks().timeoutMs,
				v2TimeoutMs: hooks().v2TimeoutMs,
				allowPrivateUrls: hooks().allowPrivateUrls,
			};
		},
		/** A v2 webhook disabled as the platform does after its last failed attempt (`{webhook: id}`). */
		'POST /__sandbox/webhooks/auto-disable': (body) => {
			const webhook = [...hooks().v2.values()].find((w) => w.id === body.webhook);
			if (!webhook) throw httpError(404, `No webhook ${body.webhook}`);
			hooks().autoDisableV2(webhook.number);
			return { id: webhook.id, enabled: webhook.enabled };
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

module.exports = { apiRoutes, storageRoutes, controlRoutes, prefillRaw, prefillDatetime };
