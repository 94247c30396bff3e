'use strict';
/**
 * The sandbox really calls back: its legacy form POSTs and its signed v2 batches are captured by a
 * local HTTP listener standing for n8n's webhook server, then handed byte for byte to the webhook
 * trigger in n8n's engine. Redeliveries (at least once) must start nothing.
 */
const http = require('http');
const { createHmac } = require('crypto');

const { startSandbox } = require('../../sandbox');
const { NODE_TYPES, runWebhook, runWebhookMethod, jsonOf } = require('../helpers/engine');
const { act, byId, control, credentialsFor, gql } = require('./trigger-support');

const NODE_KEY = 'node:Démarche Numérique Webhook Trigger';
const WEBHOOK_ID = '0b6d9c3e-8f7a-4a2b-b1c4-2e9f5d7a6c11';

let sb;
let listener;
let received = [];
beforeAll(async () => {
	sb = await startSandbox({ size: 200, webhooksV2: true });
	listener = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const url = new URL(req.url, 'http://127.0.0.1');
			received.push({
				path: url.pathname,
				query: Object.fromEntries(url.searchParams),
				headers: req.headers,
				rawBody: Buffer.concat(chunks),
			});
			res.end('ok');
		});
	});
	await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
	await new Promise((resolve) => listener?.close(resolve));
	await sb?.stop();
});
beforeEach(() => {
	received = [];
});

const base = () => `http://127.0.0.1:${listener.address().port}`;
const node = (demarche, parameters) => ({
	type: NODE_TYPES.webhookTrigger,
	webhookId: WEBHOOK_ID,
	parameters: { demarche: byId(demarche), ...parameters },
});

/** Hands a captured call to the trigger, as n8n's webhook server would. */
async function handOver(call, demarche, parameters, staticData) {
	return await runWebhook({
		node: node(demarche, parameters),
		credentials: credentialsFor(sb),
		staticData,
		request: { method: 'POST', headers: call.headers, query: call.query, rawBody: call.rawBody },
	});
}

async function firstDossier(demarche, state) {
	const data = await gql(sb, `{ demarche(number: ${demarche}) { dossiers(state: ${state}) { nodes { number } } } }`);
	return data.demarche.dossiers.nodes[0].number;
}

it('legacy: the platform\'s own callback starts the workflow once, its repeat nothing', async () => {
	const secret = createHmac('sha256', sb.tokens.admin).update('legacy-callback:1004').digest('hex').slice(0, 32);
	await control(sb, 'POST', '/webhooks/legacy', { demarche: 1004, url: `${base()}/hook?secret=${secret}` });
	const number = await firstDossier(1004, 'en_construction');
	await act(sb, 'state', { number, state: 'en_instruction' });
	await control(sb, 'GET', '/webhooks/deliveries?settle=1&kind=legacy');
	await control(sb, 'POST', '/webhooks/deliver', { dossier: number });
	await control(sb, 'GET', '/webhooks/deliveries?settle=1&kind=legacy');
	expect(received).toHaveLength(2);

	const first = await handOver(received[0], 1004, { mode: 'legacy' });
	expect(jsonOf(first.workflowData[0])).toMatchObject([{ demarcheNumber: 1004, dossierNumber: number, state: 'en_instruction' }]);
	// updated_at comes in Paris time with its offset; the item carries the same instant in UTC
	const updatedAt = new URLSearchParams(received[0].rawBody.toString()).get('updated_at');
	expect(updatedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0[12]00$/);
	const [, day, time, sign, hh, mm] = /^(\S+) (\S+) ([+-])(\d\d)(\d\d)$/.exec(updatedAt);
	expect(jsonOf(first.workflowData[0])[0].updatedAt).toBe(new Date(`${day}T${time}${sign}${hh}:${mm}`).toISOString());
	const repeat = await handOver(received[1], 1004, { mode: 'legacy' }, first.staticData);
	expect(repeat.responseStatus).toBe(200);
	expect(repeat.workflowData).toBeUndefined();
	await control(sb, 'POST', '/webhooks/legacy', { demarche: 1004, url: null });
});

it('signed: registered on activation, the signed batch accepted, its redelivery dropped, a tampered one refused', async () => {
	// the platform refuses private URLs (PR #13557); this receiver is local, so the sandbox allows it
	await control(sb, 'POST', '/webhooks/settings', { allowPrivateUrls: true });
	const options = { node: node(1003, { mode: 'signed' }), credentials: credentialsFor(sb), webhookBaseUrl: base() };
	const created = await runWebhookMethod('create', options);
	expect(created.staticData[NODE_KEY].secret).toBeTruthy();

	const number = await firstDossier(1003, 'en_construction');
	await act(sb, 'state', { number, state: 'en_instruction' });
	const deliveries = await control(sb, 'GET', '/webhooks/deliveries?settle=1&kind=v2');
	expect(received.length).toBeGreaterThan(0);
	const batch = received[received.length - 1];
	expect(batch.path).toBe(`/${WEBHOOK_ID}/demarche-numerique`);

	const accepted = await handOver(batch, 1003, { mode: 'signed' }, created.staticData);
	expect(accepted.responseStatus).toBe(200);
	const events = jsonOf(accepted.workflowData[0]);
	expect(events.map((e) => e.dossierNumber)).toContain(number);
	for (const e of events) expect(Number.isInteger(e.sequence)).toBe(true);

	await control(sb, 'POST', '/webhooks/redeliver', { delivery: deliveries[deliveries.length - 1].id });
	await control(sb, 'GET', '/webhooks/deliveries?settle=1&kind=v2');
	const redelivered = received[received.length - 1];
	expect(redelivered.rawBody.equals(batch.rawBody)).toBe(true);
	const repeat = await handOver(redelivered, 1003, { mode: 'signed' }, accepted.staticData);
	expect(repeat.workflowData).toBeUndefined();

	const tampered = { ...batch, rawBody: Buffer.from(batch.rawBody.toString().replace(String(number), String(number + 1))) };
	const refused = await handOver(tampered, 1003, { mode: 'signed' }, created.staticData);
	expect(refused.responseStatus).toBe(401);
	expect(refused.workflowData).toBeUndefined();

	await runWebhookMethod('delete', { ...options, staticData: accepted.staticData });
	await control(sb, 'POST', '/webhooks/settings', { allowPrivateUrls: false });
});
