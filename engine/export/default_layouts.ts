/**
 * The bundled eta layouts for Markdown and HTML exports, as string constants
 * so a compiled binary needs no files. A workspace overrides one by putting a
 * file named `article.md.eta` or `article.html.eta` in its `layouts/` folder;
 * the data a layout receives is `ExportLayoutData` (export_renderer.ts).
 * Layouts are trusted code (eta compiles them to JavaScript); HTML layouts
 * render with auto-escaping on, so `<%= %>` is always safe and `<%~ %>` is
 * only for the pre-escaped `it.articleHtml`.
 */

/** File names of workspace layout overrides, by format. */
export const LAYOUT_FILE_NAMES = { md: "article.md.eta", html: "article.html.eta" } as const;

/** Markdown: YAML front matter, the article, then (with history) the provenance of each step. */
export const MARKDOWN_LAYOUT = `---
<%~ it.frontMatterYaml -%>
---

<%~ it.body %>
<% if (it.includeHistory) { -%>

---

## Provenance

Run \`<%~ it.run.runId %>\` of pipeline \`<%~ it.run.pipelineId %>\`: <%~ it.frontMatter.tokens %> tokens, $<%~ it.frontMatter.cost_usd %>.

<% it.history.forEach(function (step) { -%>
### Step <%~ step.number %>: <%~ step.name %> (\`<%~ step.stepId %>\`)

- Status: <%~ step.status %>
- Models: <%~ step.models.length ? step.models.join(", ") : "none" %>
- Tokens: <%~ step.tokens %> ($<%~ step.costUsd.toFixed(6) %>)
- Selection: <%~ step.selectedNumber ? "candidate " + step.selectedNumber : "none" %><%~ step.edited ? " (edited by hand)" : "" %>

<% if (step.prompt) { -%>
#### Prompt

<%~ it.fenced(step.prompt) %>

<% } -%>
<% if (step.feedback.length) { -%>
#### Feedback

<% step.feedback.forEach(function (note) { -%>
- (generation <%~ note.generation %>) <%~ note.text.replace(/\\n/g, " ") %>
<% }) -%>

<% } -%>
<% if (step.attemptFailures.length) { -%>
#### Retries and fallbacks

<% step.attemptFailures.forEach(function (line) { -%>
- <%~ line %>
<% }) -%>

<% } -%>
<% step.candidates.forEach(function (candidate) { -%>
#### Candidate <%~ candidate.number %><%~ candidate.selected ? " (selected)" : "" %>

- Model: <%~ candidate.provider %>:<%~ candidate.model %> · origin <%~ candidate.origin %> · generation <%~ candidate.generation %><%~ candidate.cached ? " · cached" : "" %>
- Validation: <%~ candidate.validationPassed ? "passed" : "failed: " + candidate.validationReasons.join("; ") %>
- Tokens: <%~ candidate.tokens %>

<%~ it.fenced(candidate.text) %>

<% }) -%>
<% if (step.edited && step.selectedText !== undefined) { -%>
#### Edited text

<%~ it.fenced(step.selectedText) %>

<% } -%>
<% }) -%>
<% } -%>
`;

/** HTML: a standalone page with the article and (with history) the provenance. */
export const HTML_LAYOUT = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="WriteIt">
<title><%= it.title %></title>
<style>
body { font: 17px/1.6 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
pre { white-space: pre-wrap; background: #f5f5f5; padding: .75rem; border-radius: 4px; }
.meta, .provenance { font-size: 14px; color: #555; }
.failed { color: #a00; }
details { margin: .5rem 0; }
</style>
</head>
<body>
<header class="meta">
<p>Pipeline <code><%= it.run.pipelineId %></code> · run <code><%= it.run.runId %></code> · <%= it.frontMatter.models.join(", ") %> · <%= it.frontMatter.tokens %> tokens · $<%= it.frontMatter.cost_usd %> · <%= it.frontMatter.date %></p>
</header>
<article>
<%~ it.articleHtml %>
</article>
<% if (it.includeHistory) { %>
<section class="provenance">
<h2>Provenance</h2>
<% it.history.forEach(function (step) { %>
<section>
<h3>Step <%= step.number %>: <%= step.name %> (<code><%= step.stepId %></code>)</h3>
<p>Status <%= step.status %> · models <%= step.models.join(", ") %> · <%= step.tokens %> tokens · selection <%= step.selectedNumber ? "candidate " + step.selectedNumber : "none" %><%= step.edited ? " (edited by hand)" : "" %></p>
<% if (step.prompt) { %><details><summary>Prompt</summary><pre><%= step.prompt %></pre></details><% } %>
<% if (step.feedback.length) { %><p>Feedback:</p><ul><% step.feedback.forEach(function (note) { %><li><%= note.text %></li><% }) %></ul><% } %>
<% if (step.attemptFailures.length) { %><p>Retries and fallbacks:</p><ul><% step.attemptFailures.forEach(function (line) { %><li><%= line %></li><% }) %></ul><% } %>
<% step.candidates.forEach(function (candidate) { %>
<details<%= candidate.selected ? " open" : "" %>>
<summary>Candidate <%= candidate.number %><%= candidate.selected ? " (selected)" : "" %>: <%= candidate.provider %>:<%= candidate.model %>, <%= candidate.origin %>, generation <%= candidate.generation %>,
<% if (candidate.validationPassed) { %>validation passed<% } else { %><span class="failed">validation failed: <%= candidate.validationReasons.join("; ") %></span><% } %></summary>
<pre><%= candidate.text %></pre>
</details>
<% }) %>
<% if (step.edited && step.selectedText !== undefined) { %><details><summary>Edited text</summary><pre><%= step.selectedText %></pre></details><% } %>
</section>
<% }) %>
</section>
<% } %>
</body>
</html>
`;
