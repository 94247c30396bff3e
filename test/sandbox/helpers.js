'use strict';
/** Helpers for the sandbox's own tests: start it in-process, talk to it over real HTTP. */
const { startSandbox } = require('../../sandbox');

function start(options = {}) {
	return startSandbox({ size: 400, ...options });
}

/** POST a GraphQL document; `authorization` is the raw header value (null = no header). */
async function gql(
	sandbox,
	query,
	variables = {},
	authorization = `Bearer ${sandbox.tokens.admin}`,
	operationName,
) {
	const headers = { 'Content-Type': 'application/json' };
	if (authorization !== null) headers.Authorization = authorization;
	const response = await fetch(sandbox.graphqlUrl, {
		method: 'POST',
		headers,
		body: JSON.stringify({ query, variables, operationName }),
	});
	const text = await response.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		json = null;
	}
	return { status: response.status, headers: response.headers, text, json };
}

/** The data of a document sent with the admin token; GraphQL errors thrown (for tests that read state). */
async function adminData(sandbox, query, variables = {}) {
	const { json, text } = await gql(sandbox, query, variables);
	if (!json || json.errors) throw new Error(json ? JSON.stringify(json.errors) : text);
	return json.data;
}

async function control(sandbox, method, path, body) {
	const response = await fetch(`${sandbox.controlUrl}${path}`, {
		method,
		headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const json = await response.json();
	if (response.status >= 400)
		throw new Error(`control ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
	return json;
}

const DOSSIER_PAGE = `query Page($d: Int!, $first: Int, $last: Int, $after: String, $before: String, $state: DossierState,
  $archived: Boolean, $createdSince: ISO8601DateTime, $updatedSince: ISO8601DateTime) {
  demarche(number: $d) {
    dossiers(first: $first, last: $last, after: $after, before: $before, state: $state, archived: $archived,
      createdSince: $createdSince, updatedSince: $updatedSince) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { number state archived dateDepot dateDerniereModification groupeInstructeur { number } }
    }
  }
}`;

module.exports = { start, gql, adminData, control, DOSSIER_PAGE };
