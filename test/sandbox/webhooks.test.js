'use strict';
/** Outgoing webhooks over real HTTP: the legacy form POST and the signed webhooks v2. */
const crypto = require('crypto');
const http = require('http');
const { control, gql, start } = require('./helpers');
const { gid, actors, freshDossier, mutate } = require('./mutations-helpers');

let sandbox;
let receiver;
let who;

/** A local endpoint recording raw requests; `respond` decides the answer (default 200). */
function startReceiver() {
	const received = [];
	let respond = (_req, res) => res.end('ok');
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			received.push({
				url: req.url,
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
			});
			respond(req, res);
		});
	});
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () =>
			resolve({
				url: (path) => `http://127.0.0.1:${server.address().port}${path}`,
				received,
				onRequest: (fn) => (respond = fn),
				reset: () => {
					received.length = 0;
					respond = (_req, res) => res.end('ok');
				},
				stop: () => {
					server.closeAllConnections();
					return new Promise((r) => server.close(r));
				},
			}),
		),
	);
}

beforeAll(async () => {
	sandbox = await start({ size: 60 });
	receiver = await startReceiver();
	who = await actors(sandbox, 1003);
});
afterAll(async () => {
	await sandbox.stop();
	await receiver.stop();
});
beforeEach(async () => {
	receiver.reset();
	await control(sandbox, 'DELETE', '/webhooks/deliveries');
});

const settled = (kind) => control(sandbox, 'GET', `/webhooks/deliveries?settle=1&kind=${kind}`);
const formOf = (body) => Object.fromEntries(new URLSearchParams(body));

describe('legacy webhook', () => {
	beforeAll(() =>
		control(sandbox, 'POST', '/webhooks/legacy', {
			demarche: 1003,
			url: receiver.url('/legacy?secret=abc'),
		}),
	);
	afterAll(() => control(sandbox, 'POST', '/webhooks/legacy', { demarche: 1003, url: null }));

	it('POSTs a form on the deposit and on each state change, with a Ruby UTC updated_at', async () => {
		await control(sandbox, 'POST', '/clock', { set: '2026-03-10T09:15:42.250Z' });
		try {
			const number = await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
			await control(sandbox, 'POST', '/clock', { set: '2026-03-10T10:00:07Z' });
			const res = await mutate(sandbox, 'dossierPasserEnInstruction', {
				dossierId: gid('Dossier', number),
				instructeurId: who.insider.id,
			});
			expect(res.data.dossierPasserEnInstruction.errors).toBeNull();
			await settled('legacy');
			expect(receiver.received.map((r) => r.url)).toEqual([
				'/legacy?secret=abc',
				'/legacy?secret=abc',
			]);
			for (const r of receiver.received)
				expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
			expect(receiver.received.map((r) => formOf(r.body))).toEqual([
				{
					procedure_id: '1003',
					dossier_id: String(number),
					state: 'en_construction',
					updated_at: '2026-03-10 09:15:42 UTC',
				},
				{
					procedure_id: '1003',
					dossier_id: String(number),
					state: 'en_instruction',
					updated_at: '2026-03-10 10:00:07 UTC',
				},
			]);
		} finally {
			await control(sandbox, 'POST', '/clock', { real: true });
		}
	});

	it('sends nothing for changes that are not state changes, nor for other démarches', async () => {
		const number = await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
		const other = await freshDossier(sandbox, { demarche: 1005 });
		await settled('legacy');
		receiver.reset();
		await control(sandbox, 'POST', '/act/update', { number, values: {}, annotations: true });
		await control(sandbox, 'POST', '/act/message', { number, body: 'Bonjour' });
		await control(sandbox, 'POST', '/act/state', { number: other, state: 'en_instruction' });
		expect(await settled('legacy')).toHaveLength(1); // the deposit of `number` only
		expect(receiver.received).toEqual([]);
	});

	it('gives up after the 10 s timeout (configurable here) and never retries', async () => {
		await control(sandbox, 'POST', '/webhooks/settings', { timeoutMs: 300 });
		receiver.onRequest(() => undefined); // never answers
		try {
			const number = await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
			const deliveries = await settled('legacy');
			expect(deliveries).toEqual([
				expect.objectContaining({ dossierNumber: number, status: null, error: 'timeout' }),
			]);
			await new Promise((r) => setTimeout(r, 400));
			expect(receiver.received).toHaveLength(1);
		} finally {
			await control(sandbox, 'POST', '/webhooks/settings', { timeoutMs: 10000 });
		}
	});

	it('records failures (HTTP 500) without retry; delivers by hand again (a duplicate)', async () => {
		receiver.onRequest((_req, res) => {
			res.statusCode = 500;
			res.end('boom');
		});
		const number = await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
		expect(await settled('legacy')).toEqual([
			expect.objectContaining({ status: 500, dossierNumber: number }),
		]);
		receiver.reset();
		const manual = await control(sandbox, 'POST', '/webhooks/deliver', { dossier: number });
		expect(manual).toMatchObject({ status: 200, manual: true });
		const again = await control(sandbox, 'POST', '/webhooks/redeliver', { delivery: manual.id });
		expect(again).toMatchObject({ status: 200, redeliveryOf: manual.id });
		expect(receiver.received).toHaveLength(2);
		expect(receiver.received[0].body).toBe(receiver.received[1].body);
		expect(formOf(receiver.received[0].body)).toMatchObject({
			dossier_id: String(number),
			state: 'en_construction',
		});
	});
});

describe('webhooks v2 (behind the switch)', () => {
	const CREER = `mutation($d: Int!, $url: String!, $types: [WebhookEventTypeEnum!]!) {
		webhookCreer(input: {demarche: {number: $d}, url: $url, eventTypes: $types, label: "Tests"}) {
			webhook { id url eventTypes enabled label } secret errors { message } } }`;
	const create = (types, token, demarche = 1003) =>
		gql(
			sandbox,
			CREER,
			{ d: demarche, url: receiver.url('/v2'), types },
			token === undefined ? undefined : `Bearer ${token}`,
		);
	const hmac = (secret, body) =>
		`sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;

	beforeAll(() => control(sandbox, 'POST', '/modes', { webhooksV2: true }));
	afterAll(() => control(sandbox, 'POST', '/modes', { webhooksV2: false }));

	it('is absent from the schema without the switch', async () => {
		await control(sandbox, 'POST', '/modes', { webhooksV2: false });
		try {
			const res = await gql(sandbox, '{ __type(name: "WebhookEventTypeEnum") { name } }');
			expect(res.json.data.__type).toBeNull();
			const call = await create(['dossier_depose']);
			expect(call.json.errors[0].message).toMatch(
				/Unknown type "WebhookEventTypeEnum"|Cannot query field "webhookCreer"/,
			);
		} finally {
			await control(sandbox, 'POST', '/modes', { webhooksV2: true });
		}
	});

	it('delivers signed JSON batches with strictly increasing sequences, filtered by event type', async () => {
		const created = (await create(['dossier_depose', 'dossier_changement_etat'])).json.data
			.webhookCreer;
		expect(created.errors).toBeNull();
		expect(created.webhook).toMatchObject({
			url: receiver.url('/v2'),
			enabled: true,
			label: 'Tests',
		});
		expect(created.secret).toMatch(/^[0-9a-f]{64}$/);
		try {
			const number = await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
			await control(sandbox, 'POST', '/act/message', { number, body: 'not subscribed' });
			await mutate(sandbox, 'dossierPasserEnInstruction', {
				dossierId: gid('Dossier', number),
				instructeurId: who.insider.id,
			});
			await mutate(sandbox, 'dossierAccepter', {
				dossierId: gid('Dossier', number),
				instructeurId: who.insider.id,
			});
			await settled('v2');
			expect(receiver.received.length).toBeGreaterThan(0);
			const events = [];
			for (const request of receiver.received) {
				expect(request.headers['content-type']).toBe('application/json');
				expect(request.headers['x-webhook-signature-256']).toBe(hmac(created.secret, request.body));
				const batch = JSON.parse(request.body);
				expect(batch.webhook_id).toBe(created.webhook.id);
				expect(batch.demarche_number).toBe(1003);
				events.push(...batch.events);
			}
			expect(events.map((e) => [e.type, e.dossier_number])).toEqual([
				['dossier_depose', number],
				['dossier_changement_etat', number],
				['dossier_changement_etat', number],
			]);
			for (let i = 1; i < events.length; i++)
				expect(events[i].sequence).toBeGreaterThan(events[i - 1].sequence);
			for (const e of events)
				expect(e.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
			const listed = await gql(
				sandbox,
				'{ webhooks(demarche: {number: 1003}) { id lastDeliveredSequence } }',
			);
			expect(listed.json.data.webhooks).toContainEqual({
				id: created.webhook.id,
				lastDeliveredSequence: events[2].sequence,
			});
		} finally {
			await mutate(
				sandbox,
				'webhookSupprimer',
				{ webhook: created.webhook.id },
				'id errors { message }',
			);
		}
	});

	it('sends what one request causes as one batch (a correction: message, then back to en_construction)', async () => {
		const created = (await create(['dossier_message', 'dossier_changement_etat'])).json.data
			.webhookCreer;
		try {
			const number = await freshDossier(sandbox, {
				demarche: 1003,
				groupe: who.groupe.number,
				state: 'en_instruction',
			});
			await settled('v2');
			receiver.reset();
			const res = await mutate(sandbox, 'dossierEnvoyerMessage', {
				dossierId: gid('Dossier', number),
				instructeurId: who.insider.id,
				body: 'Merci de corriger le plan.',
				correction: 'incorrect',
			});
			expect(res.data.dossierEnvoyerMessage.errors).toBeNull();
			await settled('v2');
			expect(receiver.received).toHaveLength(1);
			const { events } = JSON.parse(receiver.received[0].body);
			expect(events.map((e) => e.type)).toEqual(['dossier_message', 'dossier_changement_etat']);
			expect(events[1].sequence).toBe(events[0].sequence + 1);
		} finally {
			await mutate(sandbox, 'webhookSupprimer', { webhook: created.webhook.id });
		}
	});

	it('redelivers a failed batch byte for byte (at least once)', async () => {
		const created = (await create(['dossier_depose'])).json.data.webhookCreer;
		receiver.onRequest((_req, res) => {
			res.statusCode = 503;
			res.end();
		});
		try {
			await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
			const [failed] = await settled('v2');
			expect(failed.status).toBe(503);
			receiver.onRequest((_req, res) => res.end('ok'));
			const again = await control(sandbox, 'POST', '/webhooks/redeliver', { delivery: failed.id });
			expect(again.status).toBe(200);
			expect(receiver.received).toHaveLength(2);
			expect(receiver.received[1].body).toBe(receiver.received[0].body);
			expect(receiver.received[1].headers['x-webhook-signature-256']).toBe(
				hmac(created.secret, receiver.received[0].body),
			);
		} finally {
			await mutate(sandbox, 'webhookSupprimer', { webhook: created.webhook.id });
		}
	});

	it('webhookSupprimer stops deliveries; the webhook is gone from the list', async () => {
		const created = (await create(['dossier_depose'])).json.data.webhookCreer;
		const removed = await mutate(
			sandbox,
			'webhookSupprimer',
			{ webhook: created.webhook.id },
			'id errors { message }',
		);
		expect(removed.data.webhookSupprimer).toEqual({ id: created.webhook.id, errors: null });
		await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
		expect(await settled('v2')).toEqual([]);
		const listed = await gql(sandbox, '{ webhooks(demarche: {number: 1003}) { id } }');
		expect(listed.json.data.webhooks).not.toContainEqual({ id: created.webhook.id });
		const check = await gql(sandbox, 'query($id: ID!) { webhook(id: $id) { id } }', {
			id: created.webhook.id,
		});
		expect(check.json.errors[0].extensions.code).toBe('not_found');
	});

	it('refuses a read-only token, a démarche outside the token, and a URL that is not http(s)', async () => {
		const readOnly = await create(['dossier_depose'], sandbox.tokens.readOnly);
		expect(readOnly.json.data.webhookCreer.errors).toEqual([
			{ message: 'Le jeton utilisé est configuré seulement en lecture' },
		]);
		const scoped = await create(['dossier_depose'], sandbox.tokens.scoped, 1001);
		expect(scoped.json.errors[0].message).toBe(
			'An object of type Demarche was hidden due to permissions',
		);
		const ftp = await gql(sandbox, CREER, {
			d: 1003,
			url: 'ftp://exemple.fr/x',
			types: ['dossier_depose'],
		});
		expect(ftp.json.data.webhookCreer.webhook).toBeNull();
		expect(ftp.json.data.webhookCreer.errors).toHaveLength(1);
	});
});
