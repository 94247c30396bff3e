'use strict';
/**
 * Outgoing webhooks, fed by the store's event log (`store.onEvent`).
 *
 * Legacy webhook (the only one live on the platform; `app/jobs/web_hook_job.rb`, `dossier.rb#send_web_hook`):
 * one URL per démarche, set by hand (control API here). On each save that changes the state to one
 * other than brouillon (deposit included) a POST `application/x-www-form-urlencoded` with procedure_id,
 * dossier_id, state, updated_at printed as Ruby's `TimeWithZone#to_s` in Paris time
 * ("2026-01-15 14:22:31 +0100"); `User-Agent: demarche.numerique.gouv.fr`; no signature, 10 s timeout,
 * no retry, no redirect followed.
 *
 * Webhooks v2 (behind the `webhooksV2` switch; schema/extensions/webhooks-v2.graphql) follow the open
 * upstream pull request #13557 (flag `webhooks_api`): JSON batches (15 s timeout)
 * `{webhook_id, demarche_number, events: [{sequence, type, dossier_number, timestamp}]}` signed per
 * Standard Webhooks (`webhook-id: msg_<webhook>_<first>_<last>`, `webhook-timestamp` in Unix seconds,
 * `webhook-signature: v1,<base64 HMAC-SHA256(base64-decoded secret, "<id>.<timestamp>.<body>")>`) with
 * a `whsec_` secret; `sequence` is the global event id: strictly increasing, with gaps (one counter for
 * every démarche, consumed only by event types some webhook of the démarche subscribes to). Events of
 * one tick go in one batch; at-least-once: a failed batch stays failed until redelivered (control API),
 * and a redelivery sends the same body and webhook-id again, signed afresh. webhookCreer refuses URLs
 * on a private network or a local name, as upstream does, unless the control API allows them (tests
 * need a local receiver).
 *
 * Deliveries never block the request that caused them (the platform queues jobs); `settle()` waits
 * for the ones in flight. Every attempt lands in `deliveries` (the control API's delivery log).
 */
const crypto = require('crypto');
const net = require('net');
const { globalId, formatDateTime } = require('./util');

const LEGACY_TIMEOUT_MS = 10000; // web_hook_job.rb TIMEOUT
const V2_TIMEOUT_MS = 15000; // Webhooks::DeliveryJob::TIMEOUT (PR #13557)
const DELIVERY_LOG_LIMIT = 2000;
/** `Typhoeus::Config.user_agent = APPLICATION_NAME` (config/initializers/typhoeus.rb). */
const USER_AGENT = 'demarche.numerique.gouv.fr';
const SECRET_PREFIX = 'whsec_';

/** `Webhook::EVENT_TYPES` of PR #13557 (app/models/webhook.rb). */
const V2_EVENT_TYPES = [
	'dossier_depose',
	'dossier_en_instruction',
	'dossier_accepte',
	'dossier_refuse',
	'dossier_sans_suite',
	'dossier_repasse_en_construction',
	'dossier_repasse_en_instruction',
	'dossier_modifie',
	'correction_demandee',
	'groupe_instructeur_change',
	'dossier_supprime',
	'dossier_restaure',
	'message_cree',
	'avis_cree',
	'avis_repondu',
	'dossier_label_ajoute',
	'dossier_label_supprime',
];

const FINAL_STATE_EVENTS = { accepte: 'dossier_accepte', refuse: 'dossier_refuse', sans_suite: 'dossier_sans_suite' };

/**
 * The v2 event types one store event emits (none for brouillons, annotations, archiving, follows or
 * deleted messages: the PR has no such type).
 */
function v2TypesOf(event, record) {
	switch (event.type) {
		case 'deposited':
			return ['dossier_depose'];
		case 'stateChanged': {
			if (event.state === event.previousState) return [];
			if (FINAL_STATE_EVENTS[event.state]) return [FINAL_STATE_EVENTS[event.state]];
			if (event.state === 'en_instruction')
				return [event.previousState === 'en_construction' ? 'dossier_en_instruction' : 'dossier_repasse_en_instruction'];
			if (event.state === 'en_construction') return ['dossier_repasse_en_construction'];
			return [];
		}
		case 'updated':
			return event.source === 'etablissement' ? [] : ['dossier_modifie'];
		case 'messageSent': {
			const message = (record?.ovr?.messages || []).find((m) => m.id === event.messageId);
			return message?.correction ? ['message_cree', 'correction_demandee'] : ['message_cree'];
		}
		case 'labelAdded':
			return ['dossier_label_ajoute'];
		case 'labelRemoved':
			return ['dossier_label_supprime'];
		case 'groupeChanged':
			return ['groupe_instructeur_change'];
		case 'pendingDeleted':
			return ['dossier_supprime'];
		case 'restored':
			return ['dossier_restaure'];
		default:
			return [];
	}
}

/** Ruby's `TimeWithZone#to_s` in Paris (Rails 7.2, `config.time_zone = 'Paris'`): `2026-01-15 14:22:31 +0100`. */
function rubyParis(ms) {
	const iso = formatDateTime(ms); // 2026-01-15T14:22:31+01:00
	return `${iso.slice(0, 10)} ${iso.slice(11, 19)} ${iso.slice(19).replace(':', '')}`;
}

/** Standard Webhooks: one `v1,<base64>` per signing secret, space-separated. */
function standardSignature(secrets, id, timestamp, body) {
	return secrets
		.map((secret) => {
			const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
			return `v1,${crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
		})
		.join(' ');
}

/**
 * Upstream's `URLValidator` (PR #13557 version): a local host is an IP literal of a private, loopback,
 * link-local, "this network", carrier-grade NAT or unspecified range, or a name without a dot, or
 * `*.localhost`. Names are not resolved.
 */
function isLocalHost(hostname) {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	const kind = net.isIP(host);
	if (kind === 4) {
		const [a, b] = host.split('.').map(Number);
		return (
			a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) ||
			(a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)
		);
	}
	if (kind === 6) {
		const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
		if (mapped) return isLocalHost(mapped[1]);
		// WHATWG URL prints an IPv4-mapped address in hex (::ffff:7f00:1)
		const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
		if (hex) {
			const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
			return isLocalHost(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
		}
		return host === '::1' || host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
	}
	const name = host.replace(/\.$/, '');
	return !name.includes('.') || name.endsWith('.localhost');
}

class Webhooks {
	/** @param {{store: import('./store').Store}} options */
	constructor({ store }) {
		this.store = store;
		this.legacy = new Map(); // démarche number → url
		this.v2 = new Map(); // id (number) → webhook
		this.nextV2Id = 1;
		this.lastEventId = 0; // upstream's webhook_events id: one sequence for every démarche
		this.deliveries = [];
		this.nextDeliveryId = 1;
		this.inFlight = new Set();
		this.pending = new Map(); // webhook id → events waiting for this tick's batch
		this.timeoutMs = LEGACY_TIMEOUT_MS;
		this.v2TimeoutMs = V2_TIMEOUT_MS;
		this.allowPrivateUrls = false; // deliberate divergence, for local test receivers only
		store.onEvent = (event) => this.handle(event);
	}

	// --- configuration -------------------------------------------------------------------------

	setLegacyUrl(demarcheNumber, url) {
		if (url) this.legacy.set(Number(demarcheNumber), String(url));
		else this.legacy.delete(Number(demarcheNumber));
	}

	/** Why webhookCreer refuses `url` (null when it accepts it). */
	urlRefusal(url) {
		let parsed;
		try {
			parsed = new URL(url);
		} catch {
			return 'Url n’est pas valide'; // sandbox wording (errors.full_messages of :url)
		}
		if (!['http:', 'https:'].includes(parsed.protocol) || !parsed.hostname)
			return 'Url n’est pas valide'; // sandbox wording
		if (!this.allowPrivateUrls && isLocalHost(parsed.hostname))
			return 'Url pointe vers une adresse IP privée ou un nom local'; // sandbox wording (:private_ip_url)
		return null;
	}

	createV2({ demarche, url, eventTypes, label }) {
		const id = this.nextV2Id++;
		const webhook = {
			number: id,
			id: globalId('Webhook', id),
			demarcheNumber: demarche,
			url,
			eventTypes: [...new Set(eventTypes)],
			label: label || null,
			secret: `${SECRET_PREFIX}${crypto.randomBytes(32).toString('base64')}`,
			enabled: true,
			createdAt: this.store.now(),
			lastSuccessAt: null,
			lastError: null,
			autoDisabledAt: null,
			backlog: [], // events recorded while disabled, delivered on webhookActiver
		};
		this.v2.set(id, webhook);
		return webhook;
	}

	deleteV2(id) {
		const webhook = this.v2.get(id);
		if (!webhook) return null;
		this.v2.delete(id);
		webhook.enabled = false;
		this.pending.delete(id);
		return webhook;
	}

	/** What the platform does after the last failed attempt (10): disabled, events kept for later. */
	autoDisableV2(id) {
		const webhook = this.v2.get(id);
		if (!webhook) return null;
		webhook.enabled = false;
		webhook.autoDisabledAt = this.store.now();
		return webhook;
	}

	/** `webhookActiver`: enabled again, the events recorded meanwhile delivered in order. */
	activateV2(id) {
		const webhook = this.v2.get(id);
		if (!webhook) return null;
		webhook.enabled = true;
		webhook.autoDisabledAt = null;
		webhook.lastError = null;
		const backlog = webhook.backlog.splice(0);
		for (const entry of backlog) this.queueV2(webhook, entry);
		return webhook;
	}

	v2For(demarcheNumber) {
		return [...this.v2.values()].filter((w) => w.demarcheNumber === demarcheNumber);
	}

	// --- events → deliveries -------------------------------------------------------------------

	handle(event) {
		const record = this.store.getDossier(event.dossierNumber);
		const isStateChange =
			event.type === 'deposited' ||
			(event.type === 'stateChanged' && event.state !== event.previousState);
		const legacyUrl = this.legacy.get(event.demarcheNumber);
		if (legacyUrl && isStateChange && event.state !== 'brouillon') {
			const updatedAt = record ? record.modifiedAt : Date.parse(event.at);
			this.deliverLegacy(
				legacyUrl,
				{
					procedure_id: String(event.demarcheNumber),
					dossier_id: String(event.dossierNumber),
					state: event.state,
					updated_at: rubyParis(updatedAt),
				},
				{ dossierNumber: event.dossierNumber, eventSequence: event.sequence },
			);
		}
		if (record?.state === 'brouillon') return; // EmitEventService: the API does not expose brouillons
		for (const type of v2TypesOf(event, record)) this.emitV2(event, type);
	}

	/** `Webhooks::EmitEventService.call`: one event id when some webhook of the démarche subscribes. */
	emitV2(event, type) {
		const subscribed = this.v2For(event.demarcheNumber).filter((w) => w.eventTypes.includes(type));
		if (!subscribed.length) return;
		this.lastEventId += 1;
		const entry = {
			sequence: this.lastEventId,
			type,
			dossier_number: event.dossierNumber,
			timestamp: formatDateTime(Date.parse(event.at)),
		};
		for (const webhook of subscribed) {
			// a disabled webhook keeps its cursor: what happens meanwhile waits for webhookActiver
			if (webhook.enabled) this.queueV2(webhook, entry);
			else webhook.backlog.push(entry);
		}
	}

	queueV2(webhook, entry) {
		if (!this.pending.has(webhook.number)) {
			this.pending.set(webhook.number, []);
			// Everything one request changed goes out as one batch.
			this.track(new Promise((resolve) => setImmediate(resolve)).then(() => this.flushV2(webhook.number)));
		}
		this.pending.get(webhook.number).push(entry);
	}

	flushV2(webhookNumber) {
		const events = this.pending.get(webhookNumber);
		this.pending.delete(webhookNumber);
		const webhook = this.v2.get(webhookNumber);
		if (!webhook || !events || !events.length) return undefined;
		const body = JSON.stringify({
			webhook_id: webhook.id,
			demarche_number: webhook.demarcheNumber,
			events,
		});
		const messageId = `msg_${webhook.number}_${events[0].sequence}_${events[events.length - 1].sequence}`;
		return this.send({
			kind: 'v2',
			webhookId: webhook.id,
			url: webhook.url,
			body,
			headers: this.v2Headers(webhook, messageId, body),
			messageId,
			sequences: events.map((e) => e.sequence),
		});
	}

	/** Headers of a v2 POST, signed now (`Time.current.to_i`; real time, like the HTTP Date header). */
	v2Headers(webhook, messageId, body) {
		const timestamp = String(Math.floor(Date.now() / 1000));
		return {
			'Content-Type': 'application/json',
			'User-Agent': USER_AGENT,
			'webhook-id': messageId,
			'webhook-timestamp': timestamp,
			'webhook-signature': standardSignature([webhook.secret], messageId, timestamp, body),
		};
	}

	deliverLegacy(url, fields, meta) {
		return this.track(
			this.send({
				kind: 'legacy',
				url,
				body: new URLSearchParams(fields).toString(),
				headers: {
					'Content-Type': 'application/x-www-form-urlencoded',
					'User-Agent': USER_AGENT,
				},
				...meta,
			}),
		);
	}

	/** Legacy delivery by hand for a dossier's current state (a duplicate if already sent). */
	deliverLegacyNow(dossierNumber) {
		const record = this.store.requireDossier(dossierNumber);
		const url = this.legacy.get(record.demarche);
		if (!url) return null;
		return this.deliverLegacy(
			url,
			{
				procedure_id: String(record.demarche),
				dossier_id: String(record.number),
				state: record.state,
				updated_at: rubyParis(record.modifiedAt),
			},
			{ dossierNumber: record.number, manual: true },
		);
	}

	/**
	 * Send an earlier delivery again: a legacy one byte for byte; a v2 one with the same body and
	 * webhook-id, signed afresh (what upstream sends when it re-sends events it already sent).
	 */
	redeliver(deliveryId) {
		const original = this.deliveries.find((d) => d.id === Number(deliveryId));
		if (!original) return null;
		const { kind, url, body, webhookId, messageId, sequences, dossierNumber } = original;
		let headers = original.headers;
		if (kind === 'v2') {
			const webhook = [...this.v2.values()].find((w) => w.id === webhookId);
			if (webhook) headers = this.v2Headers(webhook, messageId, body);
		}
		return this.track(
			this.send({
				kind,
				url,
				body,
				headers,
				webhookId,
				messageId,
				sequences,
				dossierNumber,
				manual: true,
				redeliveryOf: original.id,
			}),
		);
	}

	track(promise) {
		this.inFlight.add(promise);
		promise.finally(() => this.inFlight.delete(promise)).catch(() => undefined);
		return promise;
	}

	/** Resolves once every delivery in flight (and every batch of this tick) has finished. */
	async settle() {
		while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
	}

	async send(request) {
		const entry = {
			id: this.nextDeliveryId++,
			at: new Date(this.store.now()).toISOString(),
			...request,
			status: null,
			error: null,
			durationMs: null,
		};
		this.deliveries.push(entry);
		if (this.deliveries.length > DELIVERY_LOG_LIMIT) this.deliveries.shift();
		const started = Date.now();
		try {
			const response = await fetch(request.url, {
				method: 'POST',
				headers: request.headers,
				body: request.body,
				redirect: 'manual',
				signal: AbortSignal.timeout(request.kind === 'v2' ? this.v2TimeoutMs : this.timeoutMs),
			});
			entry.status = response.status;
			await response.arrayBuffer().catch(() => undefined);
		} catch (e) {
			entry.error = e.name === 'TimeoutError' ? 'timeout' : e.cause?.code || e.message;
		}
		entry.durationMs = Date.now() - started;
		if (entry.kind === 'v2') {
			const webhook = [...this.v2.values()].find((w) => w.id === entry.webhookId);
			if (webhook && entry.status >= 200 && entry.status < 300) {
				webhook.lastSuccessAt = this.store.now();
				webhook.lastError = null;
			} else if (webhook) {
				webhook.lastError = entry.status ? `HTTP ${entry.status}` : entry.error;
			}
		}
		return entry;
	}
}

/** The sandbox's webhooks, bound to the current store (a reset starts from none). */
function webhooksOf(sandbox) {
	const store = sandbox.store;
	if (!store.webhooks) store.webhooks = new Webhooks({ store });
	return store.webhooks;
}

/** GraphQL view of a v2 webhook (`types/webhook_type.rb` of PR #13557). */
function webhookView(_store, webhook) {
	return {
		id: webhook.id,
		url: webhook.url,
		label: webhook.label,
		eventTypes: webhook.eventTypes,
		enabled: webhook.enabled,
		autoDisabledAt: formatDateTime(webhook.autoDisabledAt),
		lastError: webhook.lastError,
		createdAt: formatDateTime(webhook.createdAt),
		lastSuccessAt: formatDateTime(webhook.lastSuccessAt),
	};
}

module.exports = {
	Webhooks,
	webhooksOf,
	webhookView,
	standardSignature,
	rubyParis,
	isLocalHost,
	V2_EVENT_TYPES,
	SECRET_PREFIX,
};
