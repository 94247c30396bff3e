'use strict';
/**
 * Mutation resolvers: `{ [mutationName]: (args, ctx, info) => payload }`.
 * ctx: {store, files, token: {name, write, demarches}, clock via store.clock}.
 * Part 1 (queries) leaves this empty: every mutation answers "not implemented in sandbox".
 * Part 2 fills it (state machine, annotations, labels, groupes, messages, uploads, webhooks).
 */
const mutationResolvers = {};

module.exports = { mutationResolvers };
