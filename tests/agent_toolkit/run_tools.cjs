// Drives the official @posthog/agent-toolkit against a live insights-server, the way an agent would: each tool's
// input is parsed by the tool's own zod schema, then its handler runs with the toolkit's context.
//
//   POSTHOG_API_BASE_URL=http://127.0.0.1:8000 POSTHOG_PERSONAL_API_KEY=phx_... node run_tools.cjs steps.json
//
// steps.json: [{"tool": "query-run", "input": {...}}, ...]. Prints one JSON object on stdout:
// {"tools": [names offered], "steps": [{"tool", "ok", "result" | "error"}]}; exits 1 when any step failed.
"use strict";

const fs = require("fs");
const { PostHogAgentToolkit, getToolsFromContext } = require("@posthog/agent-toolkit/tools");

async function main() {
  const steps = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const toolkit = new PostHogAgentToolkit({
    posthogApiToken: process.env.POSTHOG_PERSONAL_API_KEY,
    posthogApiBaseUrl: process.env.POSTHOG_API_BASE_URL,
  });
  const context = toolkit.getContext();
  // The toolkit offers only the tools the key's scopes allow, read from /api/personal_api_keys/@current; it
  // swallows an error there and offers no tools at all, so read the key first to report that error.
  await context.stateManager.getApiKey();
  const tools = await getToolsFromContext(context);
  const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
  const report = { tools: tools.map((tool) => tool.name).sort(), steps: [] };
  let failed = false;
  for (const step of steps) {
    const tool = byName[step.tool];
    if (!tool) {
      report.steps.push({ tool: step.tool, ok: false, error: "the toolkit did not offer this tool" });
      failed = true;
      continue;
    }
    try {
      const result = await tool.handler(context, tool.schema.parse(step.input));
      const text = result.content.map((part) => part.text).join("");
      report.steps.push({ tool: step.tool, ok: true, result: JSON.parse(text) });
    } catch (error) {
      report.steps.push({ tool: step.tool, ok: false, error: String(error && error.stack ? error.stack : error) });
      failed = true;
    }
  }
  process.stdout.write(JSON.stringify(report) + "\n");
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exitCode = 2;
});
