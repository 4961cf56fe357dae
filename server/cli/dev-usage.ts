// Apart from dev.command.ts so the help does not load the app and the engines.
export const DEV_USAGE = `  dev DIR      Author the project in DIR: serve it (as serve --demo) and watch its files; a change is
               re-checked and open dashboards reload with it, or show its file:line problems
               while the last good version keeps serving (not under NODE_ENV=production)
`;
