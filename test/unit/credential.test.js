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

	it('has a rule with a fix for 401 (expired) and for 403 (wrong token or forbidden network)', () => {
		const rules = Object.fromEntries(
			credential.test.rules.filter((r) => r.type === 'responseCode').map((r) => [r.properties.value, r.properties.message]),
		);
		expect(rules[401]).toMatch(/expired/i);
		expect(rules[401]).toMatch(/\/profil/);
		expect(rules[403]).toMatch(/token/i);
		expect(rules[403]).toMatch(/IP/);
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
