'use strict';
/**
 * Authentication end to end: workflows in n8n's real engine use the real credential class and the
 * real transport against the sandbox over HTTP (n8n-core's httpRequestWithAuthentication, axios),
 * for success and for each way a token is refused; and the credential's `test` request is sent
 * the way n8n's CredentialsTester sends it (RoutingNode with the class's request, base URL
 * expression resolved by the engine, `rules` applied to the response code).
 */
const get = require('lodash/get');
const { ExecuteContext, RoutingNode } = require('n8n-core');
const { NodeApiError, NodeConnectionTypes, Workflow } = require('n8n-workflow');

const { startSandbox } = require('../../sandbox');
const {
	EngineCredentialsHelper,
	loadCredentialType,
	registerNodeType,
	runWorkflow,
} = require('../helpers/engine');
const { expectNoToken, serialiseError } = require('../helpers/transport-fakes');
const { graphqlRequest } = require('../../nodes/DemarcheNumerique/transport');

const CREDENTIAL = 'demarcheNumeriqueApi';
const PROBE_TYPE = 'engine-test.transportProbe';
const PROBE_NAME = 'Transport Probe';

/** A test-only node: one GraphQL query per item through the package's real transport. */
class TransportProbe {
	constructor() {
		this.description = {
			displayName: 'Transport Probe',
			name: 'transportProbe',
			group: ['transform'],
			version: 1,
			description: 'Reads a démarche through the real transport',
			defaults: { name: PROBE_NAME },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: CREDENTIAL, required: true }],
			properties: [{ displayName: 'Démarche Number', name: 'number', type: 'number', default: 0 }],
		};
	}

	async execute() {
		const items = this.getInputData();
		const output = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const { data } = await graphqlRequest.call(
					this,
					{
						query:
							'query demarcheProbe($number: Int!) { demarche(number: $number) { number title } }',
						operationName: 'demarcheProbe',
						variables: { number: this.getNodeParameter('number', i) },
					},
					{ intent: 'read', itemIndex: i, backoffBaseMs: 50, backoffMaxMs: 100 },
				);
				output.push({ json: data, pairedItem: { item: i } });
			} catch (error) {
				if (!this.continueOnFail()) throw error;
				output.push({
					json: { error: error.message, description: error.description },
					pairedItem: { item: i },
				});
			}
		}
		return [output];
	}
}
registerNodeType(PROBE_TYPE, new TransportProbe());

let sandbox;
let tokens;
let demarche;

beforeAll(async () => {
	sandbox = await startSandbox({ size: 40 });
	tokens = sandbox.facts.tokens;
	demarche = sandbox.facts.demarches.subvention;
});
afterAll(async () => {
	if (sandbox) await sandbox.stop();
});
beforeEach(async () => {
	await control('DELETE', 'requests');
	await control('DELETE', 'faults');
});

async function control(method, path, body) {
	const response = await fetch(`${sandbox.controlUrl}/${path}`, {
		method,
		headers: body ? { 'Content-Type': 'application/json' } : undefined,
		body: body ? JSON.stringify(body) : undefined,
	});
	return response.json();
}

function probe(token, { baseUrl = sandbox.url, continueOnFail } = {}) {
	return runWorkflow({
		nodes: [{ type: PROBE_TYPE, parameters: { number: demarche }, continueOnFail }],
		credentials: { [CREDENTIAL]: { baseUrl, token } },
	});
}

describe('a workflow with the real credential and transport', () => {
	it('a valid token reads the démarche; the sandbox saw Bearer <token> on /api/v2/graphql', async () => {
		const run = await probe(tokens.admin);
		expect(run.error).toBeUndefined();
		expect(run.items(PROBE_NAME).map((item) => item.json.demarche.number)).toEqual([demarche]);
		const requests = await control('GET', 'requests');
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({
			method: 'POST',
			path: '/api/v2/graphql',
			authorization: `Bearer ${tokens.admin}`,
			operationName: 'demarcheProbe',
			status: 200,
		});
	});

	it('the base URL as users paste it (trailing slash, /api/v2/graphql) reaches the same endpoint', async () => {
		for (const baseUrl of [
			`${sandbox.url}/`,
			`${sandbox.url}/api/v2/graphql`,
			`  ${sandbox.url}//  `,
		]) {
			const run = await probe(tokens.admin, { baseUrl });
			expect(run.error).toBeUndefined();
		}
		const requests = await control('GET', 'requests');
		expect(requests.map((r) => r.path)).toEqual(Array(3).fill('/api/v2/graphql'));
	});

	it('a wrong token: the platform message, a fix about the token and instance URL, no token in the error', async () => {
		const wrong = 'wrong-token-0a9b8c7d6e5f';
		const run = await probe(wrong);
		expect(run.error).toBeInstanceOf(NodeApiError);
		expect(run.error.message).toContain('Without a token, only persisted queries are allowed');
		expect(run.error.description).toMatch(/check the token/i);
		expect(run.error.description).toContain(sandbox.url);
		expect(run.error.httpCode).toBe('403');
		expectNoToken(run.error, wrong);
		expect(JSON.stringify(run.executionData)).not.toContain(wrong);
		// No retry of a refusal.
		expect(await control('GET', 'requests')).toHaveLength(1);
	});

	it('an expired token: "Token expired", renew it in /profil, no token in the error', async () => {
		const run = await probe(tokens.expired);
		expect(run.error).toBeInstanceOf(NodeApiError);
		expect(run.error.message).toContain('Token expired');
		expect(run.error.httpCode).toBe('401');
		expect(run.error.description).toMatch(/expired/i);
		expect(run.error.description).toContain(`${sandbox.url}/profil`);
		expectNoToken(run.error, tokens.expired);
		expect(JSON.stringify(run.executionData)).not.toContain(tokens.expired);
	});

	it('a forbidden network: the description names the IP to allow, no token in the error', async () => {
		const run = await probe(tokens.forbiddenNetwork);
		expect(run.error).toBeInstanceOf(NodeApiError);
		expect(run.error.message).toContain('Request issued from a forbidden network');
		expect(run.error.description).toContain('127.0.0.1/32');
		expect(run.error.description).toMatch(/allowed networks/i);
		expectNoToken(run.error, tokens.forbiddenNetwork);
		expect(JSON.stringify(run.executionData)).not.toContain(tokens.forbiddenNetwork);
	});

	it('with continue-on-fail, the error item carries the fix and no token', async () => {
		const run = await probe(tokens.expired, { continueOnFail: true });
		expect(run.error).toBeUndefined();
		const [item] = run.items(PROBE_NAME);
		expect(item.json.error).toContain('Token expired');
		expect(JSON.stringify(run.executionData)).not.toContain(tokens.expired);
	});

	it('a connection reset by the server is retried through n8n’s real helper', async () => {
		await control('POST', 'faults', { kind: 'reset', count: 1, operationName: 'demarcheProbe' });
		const run = await probe(tokens.admin);
		expect(run.error).toBeUndefined();
		expect(run.items(PROBE_NAME)[0].json.demarche.number).toBe(demarche);
		const requests = await control('GET', 'requests');
		expect(requests.map((r) => r.fault)).toEqual(['reset', null]);
	});

	it('an answer cut off mid-JSON is retried', async () => {
		await control('POST', 'faults', {
			kind: 'malformed',
			count: 1,
			operationName: 'demarcheProbe',
		});
		const run = await probe(tokens.admin);
		expect(run.error).toBeUndefined();
		expect(run.items(PROBE_NAME)[0].json.demarche.number).toBe(demarche);
		expect((await control('GET', 'requests')).map((r) => r.fault)).toEqual(['malformed', null]);
	});

	it('a platform timeout (code timeout) is retried', async () => {
		await control('POST', 'faults', { kind: 'timeout', count: 1, operationName: 'demarcheProbe' });
		const run = await probe(tokens.admin);
		expect(run.error).toBeUndefined();
		expect(run.items(PROBE_NAME)[0].json.demarche.number).toBe(demarche);
		expect((await control('GET', 'requests')).map((r) => r.fault)).toEqual(['timeout', null]);
	});

	it('a 500 that persists: retried a bounded number of times, then its exception_id', async () => {
		await control('POST', 'faults', { kind: '500', count: 50, operationName: 'demarcheProbe' });
		const run = await probe(tokens.admin);
		expect(run.error).toBeInstanceOf(NodeApiError);
		expect(run.error.httpCode).toBe('500');
		expect(run.error.description).toMatch(/exception_id [0-9a-f-]{36}/);
		expectNoToken(run.error, tokens.admin);
		const requests = await control('GET', 'requests');
		expect(requests.length).toBeGreaterThan(1);
		expect(requests.length).toBeLessThan(50);
		expect(new Set(requests.map((r) => r.status))).toEqual(new Set([500]));
	});

	it('a 503 from a proxy is retried', async () => {
		await control('POST', 'faults', { kind: '503', count: 1, operationName: 'demarcheProbe' });
		const run = await probe(tokens.admin);
		expect(run.error).toBeUndefined();
		expect((await control('GET', 'requests')).map((r) => r.status)).toEqual([503, 200]);
	});

	it('a 429 (plain text, RateLimit-Reset) is waited out until the reset, then retried', async () => {
		// One request per 1-second window: three quick items meet at least one 429.
		await control('POST', 'throttle', { limit: 1, periodSeconds: 1 });
		try {
			const run = await runWorkflow({
				nodes: [{ type: PROBE_TYPE, parameters: { number: demarche } }],
				credentials: { [CREDENTIAL]: { baseUrl: sandbox.url, token: tokens.admin } },
				input: [{ json: {} }, { json: {} }, { json: {} }],
			});
			expect(run.error).toBeUndefined();
			expect(run.items(PROBE_NAME).map((item) => item.json.demarche.number)).toEqual([
				demarche,
				demarche,
				demarche,
			]);
			const requests = await control('GET', 'requests');
			const throttled = requests.filter((r) => r.status === 429);
			expect(throttled.length).toBeGreaterThanOrEqual(1);
			for (const hit of throttled) {
				// The next request went out no earlier than the reset of the window that refused it.
				const reset = (Math.floor(Date.parse(hit.at) / 1000) + 1) * 1000;
				const next = requests.find((r) => r.sequence > hit.sequence);
				expect(Date.parse(next.at)).toBeGreaterThanOrEqual(reset);
				expect(next.status).toBe(200);
			}
		} finally {
			await control('POST', 'throttle', { limit: 400, periodSeconds: 60 });
		}
	});

	it('a refused connection fails at once, naming the instance URL, without the token', async () => {
		const closed = await startSandbox({ size: 1 });
		const deadUrl = closed.url;
		await closed.stop();
		const run = await probe(tokens.admin, { baseUrl: deadUrl });
		expect(run.error).toBeInstanceOf(NodeApiError);
		expect(run.error.message).toContain(deadUrl);
		expect(run.error.message).toContain('ECONNREFUSED');
		expectNoToken(run.error, tokens.admin);
	});
});

/**
 * The credential's `test` as n8n's CredentialsTester runs it: a temporary node type whose only
 * property routes the class's test request, executed by n8n-core's RoutingNode with the decrypted
 * credential. A thrown failure's HTTP status is matched against `responseCode` rules, other
 * thrown failures report their message; an answer is checked against `responseSuccessBody` rules
 * (lodash `get(body, key) === value` fails the test); otherwise "Connection successful!".
 */
async function testCredential(data) {
	const credentialType = loadCredentialType(CREDENTIAL);
	const testRequest = credentialType.test;
	const nodeType = {
		description: {
			displayName: 'No Operation',
			name: 'n8n-nodes-base.noOp',
			version: 1,
			group: ['transform'],
			description: '',
			defaults: { name: 'Temp' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: CREDENTIAL, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					default: '',
					routing: { request: testRequest.request },
				},
			],
		},
	};
	const node = {
		id: 'temp',
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [CREDENTIAL]: { id: 'cred-1', name: 'Démarche Numérique (test)' } },
	};
	const nodeTypes = {
		getKnownTypes: () => ({}),
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = {
		credentialsHelper: new EngineCredentialsHelper({ [CREDENTIAL]: data }),
		executionId: 'credential-test',
		variables: {},
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		currentNodeExecutionIndex: 0,
	};
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		{ resultData: { runData: {} } },
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const credentialsDecrypted = {
		id: 'cred-1',
		name: 'Démarche Numérique (test)',
		type: CREDENTIAL,
		data,
	};
	let response;
	try {
		response = await new RoutingNode(context, nodeType, credentialsDecrypted).runNode();
	} catch (error) {
		const failed = error.cause && error.cause.response;
		if (failed) {
			const rule = (testRequest.rules || []).find(
				(r) => r.type === 'responseCode' && r.properties.value === failed.status,
			);
			if (rule) return { status: 'Error', message: rule.properties.message, error };
			return {
				status: 'Error',
				message: failed.statusText || `Received HTTP status code: ${failed.status}`,
				error,
			};
		}
		if (error.cause && error.cause.code)
			return { status: 'Error', message: error.cause.code, error };
		return { status: 'Error', message: String(error.message), error };
	}
	const body = response[0][0].json;
	for (const rule of testRequest.rules || []) {
		if (
			rule.type === 'responseSuccessBody' &&
			get(body, rule.properties.key) === rule.properties.value
		) {
			return { status: 'Error', message: rule.properties.message, body };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

describe("the credential's test request, sent as n8n sends it", () => {
	it('passes with a valid token, POSTing the class request to <baseUrl>/api/v2/graphql with Bearer', async () => {
		const result = await testCredential({
			baseUrl: `${sandbox.url}/api/v2/graphql`,
			token: tokens.admin,
		});
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		const requests = await control('GET', 'requests');
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({
			method: 'POST',
			path: '/api/v2/graphql',
			authorization: `Bearer ${tokens.admin}`,
			operationName: loadCredentialType(CREDENTIAL).test.request.body.operationName,
			status: 200,
		});
	});

	it('refuses an http:// URL of another host without a request: the token never travels unencrypted', async () => {
		const result = await testCredential({ baseUrl: 'http://dn.example.invalid', token: tokens.admin });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/http:\/\/ Instance URL is refused.*https:\/\//);
		expect(serialiseError(result)).not.toContain(tokens.admin);
	});

	it.each([
		[
			'a wrong token',
			() => 'wrong-token-1f2e3d4c5b6a',
			403,
			/Without a token, only persisted queries are allowed/,
		],
		['an expired token', () => tokens.expired, 401, /Token expired.*\/profil/],
		['a token from a forbidden network', () => tokens.forbiddenNetwork, 403, /forbidden network/],
	])(
		"fails with %s, with the platform's reason and without the token",
		async (_label, token, status, reason) => {
			const result = await testCredential({ baseUrl: `${sandbox.url}/`, token: token() });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(reason);
			expect(result.message).not.toContain(token());
			expect(serialiseError(result)).not.toContain(token());
			const requests = await control('GET', 'requests');
			expect(requests.length).toBeGreaterThanOrEqual(1);
			for (const request of requests)
				expect([request.path, request.status]).toEqual(['/api/v2/graphql', status]);
		},
	);
});
