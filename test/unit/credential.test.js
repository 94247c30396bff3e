'use strict';
/**
 * The credential class as n8n uses it: its `authenticate` and `test.request` expressions are
 * resolved by n8n-workflow's own expression engine with `$credentials`, the way n8n's
 * CredentialsHelper (authenticate) and RoutingNode (credential test request) do.
 */
const { Workflow } = require('n8n-workflow');

const { DemarcheNumeriqueApi } = require('../../credentials/DemarcheNumeriqueApi.credentials');
const { CREDENTIAL_TYPE, normalizeBaseUrl } = require('../../nodes/DemarcheNumerique/transport');

const credential = new DemarcheNumeriqueApi();
const TOKEN = 'tok_cred-test-5b1e77c2';

const node = {
	id: 'temp',
	name: 'Temp-Node',
	type: 'mock',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const nodeTypes = {
	getByName: () => ({ description: { properties: [] } }),
	getByNameAndVersion: () => ({ description: { properties: [] } }),
	getKnownTypes: () => ({}),
};
const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });

/** Resolves one credential-class value with `$credentials`, as n8n does ('=…' values only). */
function resolve(value, credentials) {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	return workflow.expression.getParameterValue(value, null, 0, 0, node.name, [], 'internal', {
		$credentials: credentials,
	});
}

describe('credential class', () => {
	it('is the type the transport authenticates with, with baseUrl and a password token', () => {
		expect(credential.name).toBe(CREDENTIAL_TYPE);
		const byName = Object.fromEntries(credential.properties.map((p) => [p.name, p]));
		expect(Object.keys(byName).sort()).toEqual(['baseUrl', 'token']);
		expect(byName.token.typeOptions).toMatchObject({ password: true });
		expect(byName.baseUrl.default).toBe('https://demarche.numerique.gouv.fr');
	});

	it('authenticate sends Authorization: Bearer <token>', () => {
		expect(credential.authenticate.type).toBe('generic');
		const headers = Object.fromEntries(
			Object.entries(credential.authenticate.properties.headers).map(([key, value]) => [
				resolve(key, { token: TOKEN }),
				resolve(value, { baseUrl: 'https://x.fr', token: TOKEN }),
			]),
		);
		expect(headers).toEqual({ Authorization: `Bearer ${TOKEN}` });
		// Nothing else of the credential travels (no token in query string or body).
		expect(Object.keys(credential.authenticate.properties)).toEqual(['headers']);
	});
});

describe('credential test request', () => {
	it.each([
		['https://x.fr/', 'https://x.fr/api/v2/graphql'],
		['https://x.fr/api/v2/graphql', 'https://x.fr/api/v2/graphql'],
		['  https://x.fr//  ', 'https://x.fr/api/v2/graphql'],
		['https://x.fr', 'https://x.fr/api/v2/graphql'],
		['https://x.fr/api/v2/graphql/', 'https://x.fr/api/v2/graphql'],
		['https://forge.example.org/demarches/', 'https://forge.example.org/demarches/api/v2/graphql'],
		['demarche.numerique.gouv.fr', 'https://demarche.numerique.gouv.fr/api/v2/graphql'],
		['https://x.fr/API/V2/GraphQL', 'https://x.fr/api/v2/graphql'],
	])('base URL %j → POST %s', (baseUrl, expected) => {
		const { request } = credential.test;
		const base = resolve(request.baseURL, { baseUrl, token: TOKEN });
		expect(`${base}${request.url}`).toBe(expected);
		expect(request.method).toBe('POST');
		// The transport sends to the same place for the same credential.
		expect(`${normalizeBaseUrl(baseUrl)}/api/v2/graphql`).toBe(expected);
	});

	it('sends a JSON GraphQL query (the platform answers 401/403 for bad tokens before running it)', () => {
		const { request } = credential.test;
		expect(request.json).toBe(true);
		expect(typeof request.body.query).toBe('string');
		expect(request.body.query).toMatch(/^\s*query\s+\w+\s*\{[^}]*\}\s*$/);
		expect(request.body.operationName).toBe(request.body.query.match(/query\s+(\w+)/)[1]);
	});

	/** n8n's tester: the first `responseSuccessBody` rule whose `get(body, key) === value` fails the test. */
	function verdict(body) {
		const get = (object, key) =>
			key
				.split(/[.[\]]+/)
				.filter(Boolean)
				.reduce((value, part) => (value == null ? undefined : value[part]), object);
		const rule = credential.test.rules.find(
			(r) => get(body, r.properties.key) === r.properties.value,
		);
		return rule ? rule.properties.message : 'OK';
	}

	it("keeps every answer so the rules can read the platform's body (n8n never shows it otherwise)", () => {
		expect(credential.test.request.ignoreHttpStatusErrors).toBe(true);
		expect(credential.test.rules.every((r) => r.type === 'responseSuccessBody')).toBe(true);
	});

	it('passes only for a successful answer', () => {
		expect(verdict({ data: { __typename: 'Query' } })).toBe('OK');
	});

	it.each([
		[
			{ errors: [{ message: 'Token expired', extensions: { code: 'unauthorized' } }] },
			/Token expired.*\/profil/,
		],
		[
			{
				errors: [
					{
						message: 'Without a token, only persisted queries are allowed',
						extensions: { code: 'forbidden' },
					},
				],
			},
			/Without a token, only persisted queries are allowed.*wrong or revoked/,
		],
		[
			{
				errors: [
					{
						message:
							'Request issued from a forbidden network. Add 203.0.113.7/32 to your allowed adresses in your /profil',
					},
				],
			},
			/forbidden network/,
		],
		['Calm down, cowboy!', /did not accept/],
		[{ data: null, errors: [{ message: 'Internal Server Error' }] }, /did not accept/],
	])("fails with the platform's reason for %j", (body, message) => {
		expect(verdict(body)).toMatch(message);
	});
});

describe('normalizeBaseUrl', () => {
	it.each([
		['https://demarche.numerique.gouv.fr', 'https://demarche.numerique.gouv.fr'],
		['https://demarche.numerique.gouv.fr/', 'https://demarche.numerique.gouv.fr'],
		['https://demarche.numerique.gouv.fr///', 'https://demarche.numerique.gouv.fr'],
		['  https://www.demarches-simplifiees.fr  ', 'https://www.demarches-simplifiees.fr'],
		['https://www.mes-demarches.gov.pf/api/v2/graphql', 'https://www.mes-demarches.gov.pf'],
		['https://www.mes-demarches.gov.pf/api/v2/graphql/', 'https://www.mes-demarches.gov.pf'],
		['https://demarches.adullact.org/API/V2/GraphQL', 'https://demarches.adullact.org'],
		['demarche.numerique.gouv.fr', 'https://demarche.numerique.gouv.fr'],
		['http://127.0.0.1:3000/', 'http://127.0.0.1:3000'],
		['https://forge.example.org/demarches/', 'https://forge.example.org/demarches'],
		['', ''],
	])('%j → %j', (raw, expected) => {
		expect(normalizeBaseUrl(raw)).toBe(expected);
	});

	it('tolerates a missing value', () => {
		expect(normalizeBaseUrl(undefined)).toBe('');
	});
});
