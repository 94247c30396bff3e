'use strict';
/**
 * The complexity cap of today's platform (PR #13549: graphql-ruby's max_complexity 60 000), with
 * graphql-ruby 2.5.4's rules (sandbox/lib/complexity.js, FIDELITY 3.20).
 */
const { parse, buildSchema } = require('graphql');
const { queryComplexity } = require('../../sandbox/lib/complexity');
const { control, gql, start } = require('./helpers');

// A small schema with the shapes that matter: a connection, a plain list, an interface.
const schema = buildSchema(`
  type Query { demarche(number: Int!): Demarche! dossier(number: Int!): Dossier! }
  type Demarche { number: Int! dossiers(first: Int, last: Int, after: String): DossierConnection! }
  type DossierConnection { pageInfo: PageInfo! nodes: [Dossier] edges: [DossierEdge] }
  type DossierEdge { node: Dossier cursor: String! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type Dossier { number: Int! champs: [Champ!]! messages: [Message!]! }
  type Message { id: ID! body: String! }
  interface Champ { id: ID! label: String! }
  type TextChamp implements Champ { id: ID! label: String! value: String }
  type SiretChamp implements Champ { id: ID! label: String! etablissement: Etablissement }
  type Etablissement { siret: String! naf: String address: Address }
  type Address { label: String! postalCode: String cityName: String }
`);
const cost = (query, variables, mode) => queryComplexity(schema, parse(query), variables, undefined, { mode });

describe('graphql-ruby 2.5.4 complexity', () => {
	it('the worked example: a page of 100 numbers costs 106', () => {
		// pageInfo 1 + 2, nodes 1 + 1 → children 5, metadata 4 → 1 + 100 × (5 − 4) + 4 = 105, demarche + 1.
		expect(cost('{ demarche(number: 1) { dossiers(first: 100) { pageInfo { hasNextPage endCursor } nodes { number } } } }')).toBe(106);
	});

	it('counts first as sent (not clamped), the larger of first and last, 100 without either', () => {
		const page = (args) => cost(`{ demarche(number: 1) { dossiers${args} { nodes { number } } } }`);
		// nodes 1 + 1 → children 2, metadata 1 → 1 + page × 1 + 1, demarche + 1.
		expect(page('(first: 1000)')).toBe(1003);
		expect(page('(first: 10)')).toBe(13);
		expect(page('(last: 30)')).toBe(33);
		expect(page('(first: 5, last: 30)')).toBe(33);
		expect(page('')).toBe(103);
		expect(cost('query($f: Int) { demarche(number: 1) { dossiers(first: $f) { nodes { number } } } }', { f: 7 })).toBe(10);
		expect(page('(first: 0)')).toBe(3);
	});

	it('plain lists do not multiply; an interface list costs its costliest type; __typename counts', () => {
		const dossier = (selection) => cost(`{ dossier(number: 1) { ${selection} } }`);
		expect(dossier('messages { id body }')).toBe(1 + 3);
		// TextChamp: id label value = 3; SiretChamp: id label etablissement { siret address { label } } = 2 + 1 + 1 + 1 + 1 = 6.
		expect(dossier('champs { id label ... on TextChamp { value } ... on SiretChamp { etablissement { siret address { label } } } }')).toBe(1 + 1 + 6);
		expect(dossier('champs { __typename id }')).toBe(1 + 1 + 2);
	});

	it('aliases add up; fields switched off by @include/@skip do not count', () => {
		const list = (directive = '') => `dossiers(first: 100) ${directive} { nodes { number messages { id } } }`;
		const one = cost(`{ demarche(number: 1) { a: ${list()} } }`);
		expect(cost(`{ demarche(number: 1) { a: ${list()} b: ${list()} } }`)).toBe(2 * one - 1);
		expect(cost(`query($on: Boolean!) { demarche(number: 1) { a: ${list()} b: ${list('@include(if: $on)')} } }`, { on: false })).toBe(one);
		expect(cost(`query($on: Boolean!) { demarche(number: 1) { a: ${list()} b: ${list('@include(if: $on)')} } }`, { on: true })).toBe(2 * one - 1);
		expect(cost(`{ demarche(number: 1) { a: ${list()} b: ${list('@skip(if: true)')} } }`)).toBe(one);
	});

	it('legacy mode (2.5.26 unconfigured) agrees with future mode on repeated selections of one type', () => {
		const query = '{ demarche(number: 1) { dossiers(first: 100) { nodes { number } } ... on Demarche { dossiers(first: 100) { nodes { number messages { id } } } } } }';
		// One scope for the key (same parent type): its children merge, 1 + 100 × (1 + 2) + 1, demarche + 1.
		expect(cost(query, {}, 'future')).toBe(303);
		expect(cost(query, {}, 'legacy')).toBe(303);
	});
});

describe('the sandbox enforces the cap (today’s platform)', () => {
	let sandbox;
	beforeAll(async () => {
		sandbox = await start({ size: 50 });
	});
	afterAll(() => sandbox.stop());
	afterEach(() => control(sandbox, 'POST', '/limits', { maxComplexity: 60000 }));

	const FULL = `dossiers(first: 100) { pageInfo { hasNextPage endCursor } nodes { number state dateDepot
	  champs { id label stringValue updatedAt ... on RepetitionChamp { rows { id champs { id label stringValue updatedAt } } } }
	  annotations { id label stringValue updatedAt }
	  messages { id email body createdAt attachments { filename url checksum byteSizeBigInt } }
	  avis { id question reponse attachments { filename url } }
	  demandeur { __typename ... on PersonnePhysique { nom prenom civilite email } }
	  traitements { state dateTraitement motivation emailAgentTraitant } } }`;

	it('refuses a query above 60 000 with the platform’s message: HTTP 200, no data, no location, no code', async () => {
		const aliased = Array.from({ length: 20 }, (_, i) => `l${i}: ${FULL}`).join('\n');
		const res = await gql(sandbox, `query { demarche(number: 1002) { ${aliased} } }`);
		expect(res.status).toBe(200);
		expect(Object.keys(res.json)).toEqual(['errors']);
		expect(res.json.errors).toEqual([{ message: expect.stringMatching(/^Query has complexity of \d+, which exceeds max complexity of 60000$/) }]);
		const figure = Number(/of (\d+),/.exec(res.json.errors[0].message)[1]);
		expect(figure).toBeGreaterThan(60000);
		expect((await gql(sandbox, `query { demarche(number: 1002) { ${FULL} } }`)).json.errors).toBeUndefined();
	});

	it('the cap is configurable (GRAPHQL_MAX_COMPLEXITY), 0 = none', async () => {
		const query = `query { demarche(number: 1002) { ${FULL} } }`;
		await control(sandbox, 'POST', '/limits', { maxComplexity: 1000 });
		expect((await gql(sandbox, query)).json.errors[0].message).toMatch(/exceeds max complexity of 1000$/);
		await control(sandbox, 'POST', '/limits', { maxComplexity: 0 });
		const aliased = Array.from({ length: 20 }, (_, i) => `l${i}: ${FULL}`).join('\n');
		expect((await gql(sandbox, `query { demarche(number: 1002) { ${aliased} } }`)).json.errors).toBeUndefined();
		await expect(control(sandbox, 'POST', '/limits', { maxComplexity: -1 })).rejects.toThrow(/400/);
	});
});
