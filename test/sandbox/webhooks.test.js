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

	it('POSTs a form on the deposit and on each state change, updated_at in Paris time with its offset', async () => {
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
			for (const r of receiver.received) {
				expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
				expect(r.headers['user-agent']).toBe('demarche.numerique.gouv.fr');
				expect(r.headers['webhook-signature']).toBeUndefined();
			}
			expect(receiver.received.map((r) => formOf(r.body))).toEqual([
				{
					procedure_id: '1003',
					dossier_id: String(number),
					state: 'en_construction',
					updated_at: '2026-03-10 10:15:42 +0100',
				},
				{
					procedure_id: '1003',
					dossier_id: String(number),
					state: 'en_instruction',
					updated_at: '2026-03-10 11:00:07 +0100',
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

describe('webhooks v2 (behind the switch; the open upstream PR #13557)', () => {
	const CREER = `mutation($d: Int!, $url: String!, $types: [WebhookEventTypeEnum!]!) {
		webhookCreer(input: {demarche: {number: $d}, url: $url, eventTypes: $types, label: "Tests"}) {
			webhook { id url eventTypes enabled label } secret errors { message } } }`;
	const create = (types, token, demarche = 1003, url = receiver.url('/v2')) =>
		gql(sandbox, CREER, { d: demarche, url, types }, token === undefined ? undefined : `Bearer ${token}`);
	const remove = (created) => mutate(sandbox, 'webhookSupprimer', { webhook: created.webhook.id });
	/** Standard Webhooks verification, written from the PR's delivery_job.rb#signature. */
	function verifies(secret, request) {
		const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
		const content = `${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.body}`;
		const expected = `v1,${crypto.createHmac('sha256', key).update(content).digest('base64')}`;
		return request.headers['webhook-signature'].split(' ').includes(expected);
	}
	const eventsOf = () => receiver.received.flatMap((r) => JSON.parse(r.body).events);

	beforeAll(async () => {
		await control(sandbox, 'POST', '/modes', { webhooksV2: true });
		await control(sandbox, 'POST', '/webhooks/settings', { allowPrivateUrls: true }); // a local receiver
	});
	afterAll(async () => {
		await control(sandbox, 'POST', '/webhooks/settings', { allowPrivateUrls: false });
		await control(sandbox, 'POST', '/modes', { webhooksV2: false });
	});

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

	it('offers the PR\'s seventeen event types', async () => {
		const res = await gql(sandbox, '{ __type(name: "WebhookEventTypeEnum") { enumValues { name } } }');
		expect(res.json.data.__type.enumValues.map((v) => v.name).sort()).toEqual(
			[
				'dossier_depose', 'dossier_en_instruction', 'dossier_accepte', 'dossier_refuse', 'dossier_sans_suite',
				'dossier_repasse_en_construction', 'dossier_repasse_en_instruction', 'dossier_modifie',
				'correction_demandee', 'groupe_instructeur_change', 'dossier_supprime', 'dossier_restaure',
				'message_cree', 'avis_cree', 'avis_repondu', 'dossier_label_ajoute', 'dossier_label_supprime',
			].sort(),
		);
	});

	it('delivers JSON batches signed per Standard Webhooks with a whsec_ secret, filtered by event type', async () => {
		const created = (await create(['dossier_depose', 'dossier_en_instruction', 'dossier_accepte'])).json.data
			.webhookCreer;
		expect(created.errors).toBeNull();
		expect(created.webhook).toMatchObject({ url: receiver.url('/v2'), enabled: true, label: 'Tests' });
		expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
		expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
		try {
			const number = await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
			await control(sandbox, 'POST', '/act/message', { number, body: 'not subscribed' });
			await mutate(sandbox, 'dossierPasserEnInstruction', {
				dossierId: gid('Dossier', number),
				instructeurId: who.insider.id,
			});
			await mutate(sandbox, 'dossierAccepter', { dossierId: gid('Dossier', number), instructeurId: who.insider.id });
			await settled('v2');
			expect(receiver.received.length).toBeGreaterThan(0);
			const now = Date.now() / 1000;
			for (const request of receiver.received) {
				expect(request.headers['content-type']).toBe('application/json');
				expect(verifies(created.secret, request)).toBe(true);
				expect(Math.abs(Number(request.headers['webhook-timestamp']) - now)).toBeLessThan(60);
				const batch = JSON.parse(request.body);
				const sequences = batch.events.map((e) => e.sequence);
				expect(request.headers['webhook-id']).toMatch(
					new RegExp(`^msg_\\d+_${sequences[0]}_${sequences[sequences.length - 1]}$`),
				);
				expect(batch.webhook_id).toBe(created.webhook.id);
				expect(batch.demarche_number).toBe(1003);
			}
			const events = eventsOf();
			expect(events.map((e) => [e.type, e.dossier_number])).toEqual([
				['dossier_depose', number],
				['dossier_en_instruction', number],
				['dossier_accepte', number],
			]);
			for (let i = 1; i < events.length; i++) expect(events[i].sequence).toBeGreaterThan(events[i - 1].sequence);
			for (const e of events) expect(e.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/);
			const listed = await gql(sandbox, '{ webhooks(demarche: {number: 1003}) { id lastError lastSuccessAt } }');
			const mine = listed.json.data.webhooks.find((w) => w.id === created.webhook.id);
			expect(mine.lastError).toBeNull();
			expect(mine.lastSuccessAt).toEqual(expect.any(String));
		} finally {
			await remove(created);
		}
	});

	it('numbers events with one global sequence: gaps where other démarches\' events took the IDs', async () => {
		const mine = (await create(['dossier_depose'])).json.data.webhookCreer;
		const other = (await create(['dossier_depose'], undefined, 1005)).json.data.webhookCreer;
		try {
			const first = await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
			await freshDossier(sandbox, { demarche: 1005 });
			await freshDossier(sandbox, { demarche: 1005 });
			const second = await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
			await settled('v2');
			const byWebhook = (id) =>
				receiver.received.filter((r) => JSON.parse(r.body).webhook_id === id).flatMap((r) => JSON.parse(r.body).events);
			const ours = byWebhook(mine.webhook.id);
			const theirs = byWebhook(other.webhook.id);
			expect(ours.map((e) => e.dossier_number)).toEqual([first, second]);
			expect(theirs).toHaveLength(2);
			// the two events of 1005 sit between ours: a gap of two, and no ID used twice
			expect(ours[1].sequence - ours[0].sequence).toBe(3);
			for (const e of theirs) {
				expect(e.sequence).toBeGreaterThan(ours[0].sequence);
				expect(e.sequence).toBeLessThan(ours[1].sequence);
			}
		} finally {
			await remove(mine);
			await remove(other);
		}
	});

	it('sends what one request causes as one batch (a correction: message, correction, back to en_construction)', async () => {
		const created = (
			await create(['message_cree', 'correction_demandee', 'dossier_repasse_en_construction'])
		).json.data.webhookCreer;
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
			expect(events.map((e) => e.type)).toEqual([
				'message_cree',
				'correction_demandee',
				'dossier_repasse_en_construction',
			]);
		} finally {
			await remove(created);
		}
	});

	it('emits nothing for annotations (no such type in the PR), dossier_modifie for the usager\'s changes', async () => {
		const created = (await create(['dossier_modifie', 'message_cree'])).json.data.webhookCreer;
		try {
			const number = await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
			await settled('v2');
			receiver.reset();
			await control(sandbox, 'POST', '/act/update', { number, values: {}, annotations: true });
			expect(await settled('v2')).toEqual([]);
			await control(sandbox, 'POST', '/act/update', { number, values: {} });
			await settled('v2');
			expect(eventsOf().map((e) => e.type)).toEqual(['dossier_modifie']);
		} finally {
			await remove(created);
		}
	});

	it('redelivers a failed batch: same body and webhook-id, signed afresh (at least once)', async () => {
		const created = (await create(['dossier_depose'])).json.data.webhookCreer;
		receiver.onRequest((_req, res) => {
			res.statusCode = 503;
			res.end();
		});
		try {
			await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
			const [failed] = await settled('v2');
			expect(failed.status).toBe(503);
			const listed = await gql(sandbox, '{ webhooks(demarche: {number: 1003}) { id lastError } }');
			expect(listed.json.data.webhooks.find((w) => w.id === created.webhook.id).lastError).toMatch(/503/);
			receiver.onRequest((_req, res) => res.end('ok'));
			const again = await control(sandbox, 'POST', '/webhooks/redeliver', { delivery: failed.id });
			expect(again.status).toBe(200);
			expect(receiver.received).toHaveLength(2);
			const [first, second] = receiver.received;
			expect(second.body).toBe(first.body);
			expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
			expect(verifies(created.secret, second)).toBe(true);
		} finally {
			await remove(created);
		}
	});

	it('keeps what happens while auto-disabled and delivers it in order on webhookActiver', async () => {
		const created = (await create(['dossier_depose'])).json.data.webhookCreer;
		try {
			await control(sandbox, 'POST', '/webhooks/auto-disable', { webhook: created.webhook.id });
			const listed = await gql(sandbox, '{ webhooks(demarche: {number: 1003}) { id enabled autoDisabledAt } }');
			expect(listed.json.data.webhooks.find((w) => w.id === created.webhook.id)).toMatchObject({
				enabled: false,
				autoDisabledAt: expect.any(String),
			});
			const first = await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
			const second = await freshDossier(sandbox, { demarche: 1003, groupe: who.groupe.number });
			expect(await settled('v2')).toEqual([]);
			const res = await mutate(
				sandbox,
				'webhookActiver',
				{ webhook: created.webhook.id },
				'webhook { id enabled autoDisabledAt } errors { message }',
			);
			expect(res.data.webhookActiver).toEqual({
				webhook: { id: created.webhook.id, enabled: true, autoDisabledAt: null },
				errors: null,
			});
			await settled('v2');
			expect(eventsOf().map((e) => e.dossier_number)).toEqual([first, second]);
		} finally {
			await remove(created);
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
		const ftp = await create(['dossier_depose'], undefined, 1003, 'ftp://exemple.fr/x');
		expect(ftp.json.data.webhookCreer.webhook).toBeNull();
		expect(ftp.json.data.webhookCreer.errors).toHaveLength(1);
	});

	it('refuses URLs on a private network or a local name, as upstream\'s URLValidator does', async () => {
		await control(sandbox, 'POST', '/webhooks/settings', { allowPrivateUrls: false });
		try {
			for (const url of [
				'http://127.0.0.1:5678/webhook/x',
				'http://localhost:5678/webhook/x',
				'http://10.1.2.3/x',
				'http://172.20.0.5/x',
				'http://192.168.1.10/x',
				'http://169.254.169.254/latest',
				'http://100.64.0.5/x',
				'http://0.0.0.0/x',
				'http://[::1]/x',
				'http://[fd00::1]/x',
				'http://[::ffff:127.0.0.1]/x',
				'http://intranet/x',
				'http://n8n.localhost/x',
			]) {
				const res = (await create(['dossier_depose'], undefined, 1003, url)).json.data.webhookCreer;
				expect({ url, webhook: res.webhook, errors: res.errors?.length }).toEqual({ url, webhook: null, errors: 1 });
			}
			const open = (await create(['dossier_depose'], undefined, 1003, 'https://n8n.example.org/webhook/x')).json.data
				.webhookCreer;
			expect(open.errors).toBeNull();
			await remove(open);
		} finally {
			await control(sandbox, 'POST', '/webhooks/settings', { allowPrivateUrls: true });
		}
	});
});
