import type { DossierParts } from './fragments';
import { dossierFragment } from './fragments';

export interface Document {
	operationName: string;
	query: string;
}

/** Most records the platform serves in one page of a connection: a larger `first` is cut to it. */
export const PAGE_SIZE = 100;

export const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

/** Everything a deleted (purged) or pending-deleted dossier record holds. */
export const DELETED_DOSSIER_FIELDS = 'id number state reason dateSupression';

/** What dossiers are listed from: a démarche, or one of its groupes instructeurs. */
export type ScopeKind = 'demarche' | 'groupeInstructeur';

/** Each scope's root field and the variable that carries its number. */
const SCOPES: Record<ScopeKind, { variable: string; root: string }> = {
	demarche: { variable: 'demarche', root: 'demarche(number: $demarche)' },
	groupeInstructeur: { variable: 'groupe', root: 'groupeInstructeur(number: $groupe)' },
};

/** `$demarche: Int!` or `$groupe: Int!`, for a document's variable list. */
export function scopeDeclaration(scope: ScopeKind): string {
	return `$${SCOPES[scope].variable}: Int!`;
}

/** `demarche(number: $demarche)` or `groupeInstructeur(number: $groupe)`. */
export function scopeRoot(scope: ScopeKind): string {
	return SCOPES[scope].root;
}

/** The variables that name the scope of a document built with scopeRoot. */
export function scopeVariables(scope: ScopeKind, number: number): Record<string, number> {
	return { [SCOPES[scope].variable]: number };
}

/** The schema's `DossierState` enum: every state a deposited dossier can be in. */
export const DOSSIER_STATES = ['en_construction', 'en_instruction', 'accepte', 'refuse', 'sans_suite'] as const;
export type DossierState = (typeof DOSSIER_STATES)[number];

const DOSSIER_FILTER_VARIABLES =
	'$first: Int, $after: String, $state: DossierState, $archived: Boolean, $createdSince: ISO8601DateTime, $updatedSince: ISO8601DateTime, $revision: ID';
const DOSSIER_FILTER_ARGUMENTS =
	'first: $first, after: $after, state: $state, archived: $archived, createdSince: $createdSince, updatedSince: $updatedSince, revision: $revision';

export function getDossierDocument(parts: DossierParts): Document {
	return {
		operationName: 'GetDossier',
		query: `query GetDossier($number: Int!) {
  dossier(number: $number) { ...DossierFields }
}${dossierFragment(parts)}`,
	};
}

const DOSSIERS_OPERATION_NAMES: Record<ScopeKind, string> = {
	demarche: 'GetDemarcheDossiers',
	groupeInstructeur: 'GetGroupeInstructeurDossiers',
};

/**
 * One page of the dossiers of a démarche, or of a groupe instructeur (the same connection, scoped
 * to the groupe), with every filter the platform offers.
 */
export function dossiersDocument(scope: ScopeKind, parts: DossierParts): Document {
	const operationName = DOSSIERS_OPERATION_NAMES[scope];
	return {
		operationName,
		query: `query ${operationName}(${scopeDeclaration(scope)}, ${DOSSIER_FILTER_VARIABLES}) {
  ${scopeRoot(scope)} {
    id
    number
    dossiers(${DOSSIER_FILTER_ARGUMENTS}) {
      ${PAGE_INFO}
      nodes { ...DossierFields }
    }
  }
}${dossierFragment(parts)}`,
	};
}

const DOSSIER_NUMBERS_OPERATION_NAMES: Record<ScopeKind, string> = {
	demarche: 'GetDemarcheDossierNumbers',
	groupeInstructeur: 'GetGroupeInstructeurDossierNumbers',
};

/** Numbers only, to name the dossiers of a page the platform could not serialise. */
export function dossierNumbersDocument(scope: ScopeKind): Document {
	const operationName = DOSSIER_NUMBERS_OPERATION_NAMES[scope];
	return {
		operationName,
		query: `query ${operationName}(${scopeDeclaration(scope)}, ${DOSSIER_FILTER_VARIABLES}) {
  ${scopeRoot(scope)} {
    dossiers(${DOSSIER_FILTER_ARGUMENTS}) {
      ${PAGE_INFO}
      nodes { number }
    }
  }
}`,
	};
}

/** Deleted (purged) or pending-deleted (hidden, restorable) dossiers of a démarche. */
export function deletedDossiersDocument(kind: 'deletedDossiers' | 'pendingDeletedDossiers'): Document {
	const operationName = kind === 'deletedDossiers' ? 'GetDeletedDossiers' : 'GetPendingDeletedDossiers';
	return {
		operationName,
		query: `query ${operationName}($demarche: Int!, $first: Int, $after: String, $deletedSince: ISO8601DateTime) {
  demarche(number: $demarche) {
    id
    number
    ${kind}(first: $first, after: $after, deletedSince: $deletedSince) {
      ${PAGE_INFO}
      nodes { ${DELETED_DOSSIER_FIELDS} }
    }
  }
}`,
	};
}

export interface DemarcheParts {
	groupeInstructeurs: boolean;
	labels: boolean;
	descriptors: boolean;
	service: boolean;
}

export const ALL_DEMARCHE_PARTS: DemarcheParts = {
	groupeInstructeurs: true,
	labels: true,
	descriptors: true,
	service: true,
};

/** A descriptor with its type-specific details (list options, repetition children). */
export const CHAMP_DESCRIPTOR_FRAGMENT = /* GraphQL */ `
fragment ChampDescriptorFields on ChampDescriptor {
  __typename
  id
  label
  description
  required
  ... on DropDownListChampDescriptor { options otherOption }
  ... on MultipleDropDownListChampDescriptor { options }
  ... on LinkedDropDownListChampDescriptor { options }
  ... on HeaderSectionChampDescriptor { level }
}
fragment RootChampDescriptorFields on ChampDescriptor {
  ...ChampDescriptorFields
  ... on RepetitionChampDescriptor { champDescriptors { ...ChampDescriptorFields } }
}`;

export function getDemarcheDocument(parts: DemarcheParts): Document {
	const lines = [
		'id',
		'number',
		'title',
		'description',
		'state',
		'declarative',
		'dateCreation',
		'datePublication',
		'dateDerniereModification',
		'dateDepublication',
		'dateFermeture',
	];
	if (parts.groupeInstructeurs) {
		lines.push('groupeInstructeurs { id number label closed instructeurs { id email } }');
	}
	if (parts.labels) lines.push('labels { id name color }');
	if (parts.descriptors) {
		lines.push(`activeRevision {
      id
      datePublication
      champDescriptors { ...RootChampDescriptorFields }
      annotationDescriptors { ...RootChampDescriptorFields }
    }`);
	}
	if (parts.service) lines.push('service { id nom organisme siret typeOrganisme }');
	return {
		operationName: 'GetDemarche',
		query: `query GetDemarche($number: Int!) {
  demarche(number: $number) {
    ${lines.join('\n    ')}
  }
}${parts.descriptors ? CHAMP_DESCRIPTOR_FRAGMENT : ''}`,
	};
}

/** The active revision's descriptors, used to type annotation values and to simplify dossiers. */
export const DEMARCHE_DESCRIPTORS: Document = {
	operationName: 'GetDemarcheDescriptors',
	query: `query GetDemarcheDescriptors($number: Int!) {
  demarche(number: $number) {
    id
    number
    activeRevision {
      id
      champDescriptors { ...RootChampDescriptorFields }
      annotationDescriptors { ...RootChampDescriptorFields }
    }
  }
}${CHAMP_DESCRIPTOR_FRAGMENT}`,
};

export const GET_GROUPE_INSTRUCTEUR: Document = {
	operationName: 'GetGroupeInstructeur',
	query: `query GetGroupeInstructeur($number: Int!) {
  groupeInstructeur(number: $number) {
    id
    number
    label
    closed
    instructeurs { id email }
  }
}`,
};

/** Groupes and their instructeurs, for list searches and e-mail → ID resolution. */
export const DEMARCHE_GROUPES: Document = {
	operationName: 'GetDemarcheGroupeInstructeurs',
	query: `query GetDemarcheGroupeInstructeurs($number: Int!) {
  demarche(number: $number) {
    id
    number
    groupeInstructeurs { id number label closed instructeurs { id email } }
  }
}`,
};

/** The dossier's démarche, groupe and instructeurs, for resolving an acting instructeur. */
export const DOSSIER_CONTEXT: Document = {
	operationName: 'GetDossierContext',
	query: `query GetDossierContext($number: Int!) {
  dossier(number: $number) {
    id
    number
    state
    demarche { number }
    groupeInstructeur { id number label instructeurs { id email } }
    instructeurs { id email }
  }
}`,
};
