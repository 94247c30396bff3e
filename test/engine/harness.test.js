'use strict';
/**
 * Proves the engine harness with test-only nodes that use the package's real credential: requests
 * really leave through n8n-core's HTTP helpers to a local server, binaries really go through the
 * binary-data service, static data is kept the way n8n keeps it.
 */
const { createServer } = require('http');

const { NodeApiError } = require('n8n-workflow');

const {
	ActivePoller,
	NODE_TYPES,
	START_NODE_NAME,
	jsonOf,
	loadCredentialType,
	loadNodeType,
	registerCredentialType,
	registerNodeType,
	runPoll,
	runWebhook,
	runWebhookMethod,
	runWorkflow,
} = require('../helpers/engine');
const {
	EngineAuthGet,
	EngineCounterPoll,
	EngineHookTrigger,
	EngineSessionApi,
	EngineSessionGet,
	TEST_NODE_TYPES,
} = require('../helpers/engine-test-nodes');

registerNodeType(TEST_NODE_TYPES.authGet, new EngineAuthGet());
registerNodeType(TEST_NODE_TYPES.counterPoll, new EngineCounterPoll());
registerNodeType(TEST_NODE_TYPES.hookTrigger, new EngineHookTrigger());
registerNodeType(TEST_NODE_TYPES.sessionGet, new EngineSessionGet());
registerCredentialType(new EngineSessionApi());

/** A node whose only parameter is required and empty by default: a workflow issue until set. */
const REQUIRED_PARAMETER_TYPE = 'engine-test.requiredParameter';
registerNodeType(REQUIRED_PARAMETER_TYPE, {
	description: {
		displayName: 'Required Parameter',
		name: 'requiredParameter',
		group: ['transform'],
		version: 1,
		description: 'Needs a value',
		defaults: { name: 'Required Parameter' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Value', name: 'value', type: 'string', default: '', required: true },
		],
	},
	async execute() {
		return [this.getInputData()];
	},
});

const TOKEN = 'engine-harness-secret-token-4f1c';

/** Every request the local server received: method, url, headers, body text. */
const seen = [];
/** What the server's /events endpoint serves. */
let events = [];
let server;
let baseUrl;

beforeAll(async () => {
	server = createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
			const url = new URL(req.url ?? '/', 'http://localhost');
			const reply = (status, payload) => {
				res.writeHead(status, { 'content-type': 'application/json' });
				res.end(JSON.stringify(payload));
			};
			if (url.pathname === '/session') {
				const { password } = JSON.parse(body);
				return password === 'pw' ? reply(200, { token: 'session-1' }) : reply(403, {});
			}
			const allowed =
				req.headers.authorization === `Bearer ${TOKEN}` || req.headers['x-session'] === 'session-1';
			if (!allowed) return reply(403, { errors: ['denied'] });
			if (url.pathname === '/ok') return reply(200, { ok: true, path: url.pathname });
			if (url.pathname === '/boom') return reply(500, { message: 'internal failure' });
			if (url.pathname === '/events') {
				const after = Number(url.searchParams.get('after'));
				return reply(200, { events: events.filter((event) => event.id > after) });
			}
			if (url.pathname === '/subscriptions' && req.method === 'POST')
				return reply(201, { id: 'sub-1' });
			if (url.pathname.startsWith('/subscriptions/') && req.method === 'DELETE')
				return reply(200, {});
			return reply(404, { message: 'not found' });
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${server.address().port}`;
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
	seen.length = 0;
	events = [];
});

const credentials = () => ({ demarcheNumeriqueApi: { baseUrl, token: TOKEN } });

describe('loading', () => {
	test('the real credential class is loaded from credentials/', () => {
		const credential = loadCredentialType('demarcheNumeriqueApi');
		expect(credential.constructor.name).toBe('DemarcheNumeriqueApi');
		expect(credential.properties.map((property) => property.name)).toEqual(
			expect.arrayContaining(['baseUrl', 'token']),
		);
	});

	test('the package nodes load from their sources under the names n8n gives them', () => {
		expect(loadNodeType(NODE_TYPES.action).description.name).toBe('demarcheNumerique');
		expect(loadNodeType(NODE_TYPES.webhookTrigger).description.name).toBe(
			'demarcheNumeriqueWebhookTrigger',
		);
		const trigger = loadNodeType(NODE_TYPES.trigger);
		expect(trigger.description.name).toBe('demarcheNumeriqueTrigger');
		expect(trigger.description.properties[0].name).toBe('pollTimes');
	});

	test('test-only polling nodes get the Poll Times parameter as n8n adds it', () => {
		const pollNode = loadNodeType(TEST_NODE_TYPES.counterPoll);
		expect(pollNode.description.properties[0].name).toBe('pollTimes');
	});

	test('an unknown node type is refused', () => {
		expect(() => loadNodeType('n8n-nodes-demarche-numerique.doesNotExist')).toThrow(/not listed/);
	});
});

describe('runWorkflow', () => {
	test('sends the Authorization header built by the real credential class and returns paired items', async () => {
		const run = await runWorkflow({
			nodes: [{ type: TEST_NODE_TYPES.authGet, parameters: { path: '/ok' } }],
			credentials: credentials(),
			input: [{ json: { n: 1 } }, { json: { n: 2 } }],
		});

		expect(run.error).toBeUndefined();
		expect(seen).toHaveLength(2);
		for (const request of seen) {
			expect(request.method).toBe('GET');
			expect(request.url).toBe('/ok');
			expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
		}
		const items = run.items('Auth GET');
		expect(jsonOf(items)).toEqual([
			{ ok: true, path: '/ok', input: { n: 1 } },
			{ ok: true, path: '/ok', input: { n: 2 } },
		]);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(run.executedNodes).toEqual([START_NODE_NAME, 'Auth GET']);
	});

	test('a binary goes in through the start node and comes back through prepareBinaryData', async () => {
		const content = Buffer.from('%PDF-1.7 dossier 4242 pièce jointe');
		const run = await runWorkflow({
			nodes: [{ type: TEST_NODE_TYPES.authGet, parameters: { path: '/ok', inputBinary: 'file' } }],
			credentials: credentials(),
			input: [
				{
					json: {},
					binary: { file: { data: content, fileName: 'piece.pdf', mimeType: 'application/pdf' } },
				},
			],
		});

		expect(run.error).toBeUndefined();
		expect(run.binary(START_NODE_NAME, 0, 'file')).toEqual(content);
		const reversed = run.binary('Auth GET', 0, 'reversed');
		expect(reversed).toEqual(Buffer.from(content).reverse());
		const metadata = run.items('Auth GET')[0].binary?.reversed;
		expect(metadata).toMatchObject({ fileName: 'reversed-piece.pdf', mimeType: 'application/pdf' });
	});

	test('continueOnFail turns a failed item into an error item and the run goes on', async () => {
		const run = await runWorkflow({
			nodes: [
				{
					type: TEST_NODE_TYPES.authGet,
					parameters: { path: '={{ $json.path }}' },
					continueOnFail: true,
				},
			],
			credentials: credentials(),
			input: [{ json: { path: '/boom' } }, { json: { path: '/ok' } }],
		});

		expect(run.error).toBeUndefined();
		const items = run.items('Auth GET');
		expect(items).toHaveLength(2);
		expect(items[0].json).toEqual({ error: expect.any(String), httpCode: '500' });
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[1].json).toMatchObject({ ok: true });
	});

	test('a failing node gives the run its error, whole, without the token', async () => {
		const run = await runWorkflow({
			nodes: [{ type: TEST_NODE_TYPES.authGet, parameters: { path: '/boom' } }],
			credentials: credentials(),
		});

		expect(run.error).toBeDefined();
		expect(run.error).toBeInstanceOf(NodeApiError);
		// What n8n stores: a copy of the error's own fields.
		expect(run.executionError).toMatchObject({ name: 'NodeApiError', httpCode: '500' });
		expect(JSON.stringify(run.executionError)).not.toContain(TOKEN);
		expect(run.failedNode).toBe('Auth GET');
		expect(run.error.httpCode).toBe('500');
		expect(JSON.stringify(run.error)).not.toContain(TOKEN);
		expect(() => run.items('Auth GET')).not.toThrow();
	});

	test('a workflow with parameter issues fails before any node runs, as n8n refuses to start it', async () => {
		const run = await runWorkflow({
			nodes: [{ type: REQUIRED_PARAMETER_TYPE }, { type: TEST_NODE_TYPES.authGet }],
			credentials: credentials(),
		});
		expect(run.error.name).toBe('WorkflowHasIssuesError');
		expect(Object.keys(run.workflowIssues)).toEqual(['Required Parameter']);
		expect(run.workflowIssues['Required Parameter'].parameters).toHaveProperty('value');
		expect(run.failedNode).toBeUndefined();
		expect(run.executedNodes).toEqual([]);
		expect(seen).toEqual([]);
	});

	test('preAuthentication runs for an empty expirable property, with defaults applied, and is stored', async () => {
		const run = await runWorkflow({
			nodes: [{ type: TEST_NODE_TYPES.sessionGet }],
			credentials: { engineSessionApi: { baseUrl, password: 'pw', sessionToken: '' } },
		});
		expect(run.error).toBeUndefined();
		expect(seen.map((request) => [request.method, request.url])).toEqual([
			['POST', '/session'],
			['GET', '/ok'],
		]);
		expect(seen[1].headers['x-session']).toBe('session-1');
		expect(run.credentials.engineSessionApi.sessionToken).toBe('session-1');
	});

	test('a wrong token reaches the server as sent and fails the run', async () => {
		const run = await runWorkflow({
			nodes: [{ type: TEST_NODE_TYPES.authGet, parameters: { path: '/ok' } }],
			credentials: { demarcheNumeriqueApi: { baseUrl, token: 'wrong' } },
		});

		expect(seen[0].headers.authorization).toBe('Bearer wrong');
		expect(run.error.httpCode).toBe('403');
	});
});

describe('runPoll', () => {
	test('static data saved by one poll is what the next poll starts from', async () => {
		events = [
			{ id: 1, label: 'a' },
			{ id: 2, label: 'b' },
		];
		const first = await runPoll({
			node: { type: TEST_NODE_TYPES.counterPoll },
			credentials: credentials(),
		});
		expect(jsonOf(first.items)).toEqual(events);
		expect(first.staticDataSaved).toBe(true);
		expect(first.staticData).toEqual({ 'node:Counter Poll': { lastId: 2 } });
		expect(first.staticDataSize).toBe(JSON.stringify(first.staticData).length);

		events.push({ id: 3, label: 'c' });
		const second = await runPoll({
			node: { type: TEST_NODE_TYPES.counterPoll },
			credentials: credentials(),
			staticData: first.staticData,
		});
		expect(seen.map((request) => request.url)).toEqual(['/events?after=0', '/events?after=2']);
		expect(jsonOf(second.items)).toEqual([{ id: 3, label: 'c' }]);
		expect(second.staticData).toEqual({ 'node:Counter Poll': { lastId: 3 } });

		const third = await runPoll({
			node: { type: TEST_NODE_TYPES.counterPoll },
			credentials: credentials(),
			staticData: second.staticData,
		});
		expect(third.items).toBeNull();
		expect(third.staticDataSaved).toBe(false);
		expect(third.staticData).toEqual(second.staticData);
	});

	test('a tick that emits nothing saves nothing, though the active workflow keeps the change', async () => {
		const saved = { 'node:Counter Poll': { lastId: 5 } };
		const poller = new ActivePoller({
			node: { type: TEST_NODE_TYPES.counterPoll, parameters: { countEmptyPolls: true } },
			credentials: credentials(),
			staticData: saved,
		});
		const first = await poller.poll();
		expect(first.items).toBeNull();
		expect(first.staticDataSaved).toBe(false);
		expect(first.staticData).toEqual(saved);
		expect(first.liveStaticData).toEqual({ 'node:Counter Poll': { lastId: 5, emptyPolls: 1 } });
		expect((await poller.poll()).liveStaticData).toEqual({
			'node:Counter Poll': { lastId: 5, emptyPolls: 2 },
		});
		poller.restart();
		expect(poller.liveStaticData).toEqual(saved);
	});

	test('manual mode ("Fetch test event") runs through the engine and saves no static data', async () => {
		events = [{ id: 7, label: 'sample' }];
		const result = await runPoll({
			node: { type: TEST_NODE_TYPES.counterPoll },
			credentials: credentials(),
			mode: 'manual',
			staticData: { 'node:Counter Poll': { lastId: 0 } },
		});
		expect(jsonOf(result.items)).toEqual([{ id: 7, label: 'sample' }]);
		expect(result.staticDataSaved).toBe(false);
		expect(result.liveStaticData).toEqual({ 'node:Counter Poll': { lastId: 7 } });
		expect(result.staticData).toEqual({ 'node:Counter Poll': { lastId: 0 } });
	});

	test('an active poller keeps one workflow across ticks and restart() reloads the saved data', async () => {
		events = [{ id: 1, label: 'a' }];
		const poller = new ActivePoller({
			node: { type: TEST_NODE_TYPES.counterPoll },
			credentials: credentials(),
		});
		expect((await poller.poll()).staticData).toEqual({ 'node:Counter Poll': { lastId: 1 } });
		expect((await poller.poll()).items).toBeNull();
		poller.restart();
		events.push({ id: 2, label: 'b' });
		expect(jsonOf((await poller.poll()).items)).toEqual([{ id: 2, label: 'b' }]);
		expect(seen.map((request) => request.url)).toEqual([
			'/events?after=0',
			'/events?after=1',
			'/events?after=1',
		]);
	});

	test('a poll that fails rejects with the node error', async () => {
		await expect(
			runPoll({
				node: { type: TEST_NODE_TYPES.counterPoll },
				credentials: { demarcheNumeriqueApi: { baseUrl, token: 'wrong' } },
			}),
		).rejects.toMatchObject({ httpCode: '403' });
	});
});

describe('webhooks', () => {
	test('webhook() sees headers, query, parsed body and raw body; static data is saved', async () => {
		const result = await runWebhook({
			node: { type: TEST_NODE_TYPES.hookTrigger },
			credentials: credentials(),
			staticData: { 'node:Hook Trigger': { deliveries: 4 } },
			request: {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				query: { secret: 's3' },
				rawBody: 'procedure_id=12&dossier_id=345&state=en_instruction',
			},
		});
		expect(result.error).toBeUndefined();
		expect(result.responseStatus).toBe(200);
		expect(jsonOf(result.workflowData?.[0])).toEqual([
			{
				body: { procedure_id: '12', dossier_id: '345', state: 'en_instruction' },
				rawLength: 51,
				query: { secret: 's3' },
			},
		]);
		expect(result.staticData).toEqual({ 'node:Hook Trigger': { deliveries: 5 } });
	});

	test('a node that answers itself sets the response status', async () => {
		const result = await runWebhook({
			node: { type: TEST_NODE_TYPES.hookTrigger },
			credentials: credentials(),
			request: { method: 'POST', headers: { 'x-reject': 'yes' }, body: { a: 1 } },
		});
		expect(result.noWebhookResponse).toBe(true);
		expect(result.responseStatus).toBe(401);
		expect(result.responseBody).toBe('rejected');
		expect(result.staticDataSaved).toBe(false);
	});

	test('lifecycle methods run with the credential and the webhook URL n8n would register', async () => {
		const node = { type: TEST_NODE_TYPES.hookTrigger, webhookId: 'c0ffee' };
		const created = await runWebhookMethod('create', {
			node,
			credentials: credentials(),
			webhookBaseUrl: 'https://n8n.example.org/webhook',
		});
		expect(created.webhookUrl).toBe('https://n8n.example.org/webhook/c0ffee/hook');
		expect(seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
		expect(JSON.parse(seen[0].body)).toEqual({
			url: 'https://n8n.example.org/webhook/c0ffee/hook',
		});
		expect(created.staticData).toEqual({ 'node:Hook Trigger': { subscriptionId: 'sub-1' } });

		const exists = await runWebhookMethod('checkExists', {
			node,
			credentials: credentials(),
			staticData: created.staticData,
		});
		expect(exists.result).toBe(true);

		const deleted = await runWebhookMethod('delete', {
			node,
			credentials: credentials(),
			staticData: created.staticData,
		});
		expect(seen[1]).toMatchObject({ method: 'DELETE', url: '/subscriptions/sub-1' });
		expect(deleted.staticData).toEqual({ 'node:Hook Trigger': {} });
	});
});
