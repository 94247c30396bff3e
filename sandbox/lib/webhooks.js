'use strict';
/**
 * Outgoing webhooks, fed by the store's event log (`store.onEvent`).
 *
 * Legacy webhook (the only one live on the platform): one URL per démarche, set by hand (control API
 * here). On each state change (deposit included, never brouillon) a POST
 * `application/x-www-form-urlencoded` with procedure_id, dossier_id, state, updated_at
 * ("2018-10-25 10:32:42 UTC"); no signature, 10 s timeout, no retry.
 *
 * Webhooks v2 (behind the `webhooksV2` switch; schema/extensions/webhooks-v2.graphql): JSON batches
 * `{webhook_id, demarche_number, events: [{sequence, type, dossier_number, timestamp}]}` signed with
 * `X-Webhook-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`; sequences strictly increase per
 * webhook; events of one tick go in one batch; at-least-once: a failed batch stays failed until
 * redelivered (control API), and redelivery sends the very same bytes again.
 *
 * Deliveries never block the request that caused them (the platform queues jobs); `settle()` waits
 * for the ones in flight. Every attempt lands in `deliveries` (the control API's delivery log).
 */
const crypto = require('crypto');
const { globalId, formatDateTime } = require('./util');

const LEGACY_TIMEOUT_MS = 10000;
const DELIVERY_LOG_LIMIT = 2000;

/** Store event type → v2 event type (stateChanged after a deposit is `deposited`). */
const V2_EVENT_TYPES = {
	deposited: 'dossier_depose',
	updated: 'dossier_modifie',
	stateChanged: 'dossier_changement_etat',
	annotationsUpdated: 'dossier_annotations_modifiees',
	messageSent: 'dossier_message',
	messageDeleted: 'dossier_message',
	archived: 'dossier_archivage',
	unarchived: 'dossier_archivage',
	deleted: 'dossier_suppression',
	pendingDeleted: 'dossier_suppression',
	restored: 'dossier_suppression',
};

/** Ruby's Time#to_s in UTC, as the legacy webhook's updated_at. */
function rubyUtc(ms) {
	return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const signature = (secret, body) =>
	`sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;

class Webhooks {
	/** @param {{store: import('./store').Store}} options */
	constructor({ store }) {
		this.store = store;
		this.legacy = new Map(); // démarche number → url
		this.v2 = new Map(); // id (number) → webhook
		this.nextV2Id = 1;
		this.deliveries = [];
		this.nextDeliveryId = 1;
		this.inFlight = new Set();
		this.pending = new Map(); // webhook id → events waiting for this tick's batch
		this.timeoutMs = LEGACY_TIMEOUT_MS;
		store.onEvent = (event) => this.handle(event);
	}

	// --- configuration -------------------------------------------------------------------------

	setLegacyUrl(demarcheNumber, url) {
		if (url) this.legacy.set(Number(demarcheNumber), String(url));
		else this.legacy.delete(Number(demarcheNumber));
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
			secret: crypto.randomBytes(32).toString('hex'),
			enabled: true,
			createdAt: this.store.now(),
			sequence: 0,
			lastSuccessAt: null,
			lastDeliveredSequence: null,
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
					updated_at: rubyUtc(updatedAt),
				},
				{ dossierNumber: event.dossierNumber, eventSequence: event.sequence },
			);
		}
		const type = V2_EVENT_TYPES[event.type];
		if (!type) return;
		for (const webhook of this.v2For(event.demarcheNumber)) {
			if (!webhook.enabled || !webhook.eventTypes.includes(type)) continue;
			webhook.sequence += 1;
			const entry = {
				sequence: webhook.sequence,
				type,
				dossier_number: event.dossierNumber,
				timestamp: formatDateTime(Date.parse(event.at)),
			};
			if (!this.pending.has(webhook.number)) {
				this.pending.set(webhook.number, []);
				// Everything one request changed goes out as one batch.
				this.track(
					new Promise((resolve) => setImmediate(resolve)).then(() => this.flushV2(webhook.number)),
				);
			}
			this.pending.get(webhook.number).push(entry);
		}
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
		return this.send({
			kind: 'v2',
			webhookId: webhook.id,
			url: webhook.url,
			body,
			headers: {
				'Content-Type': 'application/json',
				'User-Agent': 'demarches-simplifiees.fr',
				'X-Webhook-Id': webhook.id,
				'X-Webhook-Signature-256': signature(webhook.secret, body),
			},
			sequences: events.map((e) => e.sequence),
		});
	}

	deliverLegacy(url, fields, meta) {
		return this.track(
			this.send({
				kind: 'legacy',
				url,
				body: new URLSearchParams(fields).toString(),
				headers: {
					'Content-Type': 'application/x-www-form-urlencoded',
					'User-Agent': 'demarches-simplifiees.fr',
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
				updated_at: rubyUtc(record.modifiedAt),
			},
			{ dossierNumber: record.number, manual: true },
		);
	}

	/** Send an earlier delivery again, byte for byte (same body, same signature). */
	redeliver(deliveryId) {
		const original = this.deliveries.find((d) => d.id === Number(deliveryId));
		if (!original) return null;
		const { kind, url, body, headers, webhookId, sequences, dossierNumber } = original;
		return this.track(
			this.send({
				kind,
				url,
				body,
				headers,
				webhookId,
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
				signal: AbortSignal.timeout(this.timeoutMs),
			});
			entry.status = response.status;
			await response.arrayBuffer().catch(() => undefined);
		} catch (e) {
			entry.error = e.name === 'TimeoutError' ? 'timeout' : e.cause?.code || e.message;
		}
		entry.durationMs = Date.now() - started;
		if (entry.kind === 'v2' && entry.status >= 200 && entry.status < 300) {
			const webhook = [...this.v2.values()].find((w) => w.id === entry.webhookId);
			if (webhook) {
				webhook.lastSuccessAt = this.store.now();
				webhook.lastDeliveredSequence = Math.max(
					webhook.lastDeliveredSequence || 0,
					...entry.sequences,
				);
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

/** GraphQL view of a v2 webhook (default resolvers read these fields). */
function webhookView(store, webhook) {
	const demarche = store.demarches.get(webhook.demarcheNumber);
	return {
		id: webhook.id,
		url: webhook.url,
		label: webhook.label,
		eventTypes: webhook.eventTypes,
		enabled: webhook.enabled,
		createdAt: formatDateTime(webhook.createdAt),
		lastSuccessAt: formatDateTime(webhook.lastSuccessAt),
		lastDeliveredSequence: webhook.lastDeliveredSequence,
		demarche: { demarche, revision: store.revisions.get(demarche.activeRevisionId) },
	};
}

module.exports = { Webhooks, webhooksOf, webhookView, signature, rubyUtc, V2_EVENT_TYPES };
