'use strict';
/**
 * Every GraphQL document the package can send, for the tests that check them against the real
 * schema and the sandbox SDL. The package itself never needs this list, so it lives here, built
 * from the document modules themselves: every document (and every table of documents, such as
 * STATE_CHANGE_MUTATIONS) that graphql/queries.ts and graphql/mutations.ts export is taken as is,
 * so a new one is covered without being registered; each builder runs over every combination of
 * its switches. graphql/webhooks.ts is left out on purpose: signed webhooks are not in the
 * published schema (the node only uses them after introspection finds them).
 */
const { dossierPartsFrom } = require('../../nodes/DemarcheNumerique/actions/common/fields');
const queries = require('../../nodes/DemarcheNumerique/graphql/queries');
const mutations = require('../../nodes/DemarcheNumerique/graphql/mutations');
const { triggerPollDocument } = require('../../nodes/DemarcheNumerique/graphql/trigger');
const { LEGACY_KIND_OF_KEY } = require('../../nodes/DemarcheNumerique/resolve/annotations');

const SCOPES = ['demarche', 'groupeInstructeur'];

/** Every part of a dossier document, as the Include collection names them. */
const DOSSIER_PART_NAMES = Object.keys(dossierPartsFrom({}));
const DEMARCHE_PART_NAMES = Object.keys(queries.ALL_DEMARCHE_PARTS);

/** A dossier document with every part switched on. */
const ALL_DOSSIER_PARTS = Object.fromEntries(DOSSIER_PART_NAMES.map((name) => [name, true]));

/** Every assignment of true/false to the given switch names. */
function everyCombination(names) {
	const combos = [];
	for (let mask = 0; mask < 2 ** names.length; mask++) {
		const combo = {};
		names.forEach((name, bit) => (combo[name] = Boolean(mask & (1 << bit))));
		combos.push(combo);
	}
	return combos;
}

const isDocument = (value) =>
	Boolean(value) && typeof value === 'object' && typeof value.query === 'string' && typeof value.operationName === 'string';

/** The documents a module exports, alone or in a table (an object whose values are all documents). */
function exportedDocuments(module) {
	const documents = [];
	for (const value of Object.values(module)) {
		if (isDocument(value)) documents.push(value);
		else if (value && typeof value === 'object' && !Array.isArray(value)) {
			const entries = Object.values(value);
			if (entries.length && entries.every(isDocument)) documents.push(...entries);
		}
	}
	return documents;
}

/** Every document the write operations can send, the deprecated per-type annotation mutations included. */
function mutationDocuments() {
	const legacyKinds = [...new Set(Object.values(LEGACY_KIND_OF_KEY))];
	return [...exportedDocuments(mutations), ...legacyKinds.map(mutations.legacyAnnotationMutation)];
}

/** The polling trigger's document for each scope and set of dossier parts. */
function triggerDocuments() {
	return everyCombination(DOSSIER_PART_NAMES).flatMap((parts) => SCOPES.map((scope) => triggerPollDocument(scope, parts)));
}

function allDocuments() {
	const documents = [
		...exportedDocuments(queries),
		...SCOPES.map((scope) => queries.dossierNumbersDocument(scope)),
		queries.deletedDossiersDocument('deletedDossiers'),
		queries.deletedDossiersDocument('pendingDeletedDossiers'),
	];
	for (const parts of everyCombination(DOSSIER_PART_NAMES)) {
		documents.push(queries.getDossierDocument(parts), ...SCOPES.map((scope) => queries.dossiersDocument(scope, parts)));
	}
	for (const parts of everyCombination(DEMARCHE_PART_NAMES)) documents.push(queries.getDemarcheDocument(parts));
	return [...documents, ...mutationDocuments(), ...triggerDocuments()];
}

module.exports = { ALL_DOSSIER_PARTS, allDocuments, everyCombination, mutationDocuments, triggerDocuments };
