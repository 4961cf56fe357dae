// Apart from demo.command.ts so the help and the other commands do not load the store.
export const DEMO_USAGE = `  demo link DIR
               Print a fresh one-time sign-in link for the demo admin of the project in DIR
`;
