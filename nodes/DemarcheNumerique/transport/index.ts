export * from './context';
export * from './errors';
export * from './graphql';
export * from './paginate';
