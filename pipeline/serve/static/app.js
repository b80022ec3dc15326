// citetrail web app. Every piece of claim and document text is put into the page as text nodes
// (textContent), never as HTML, and the Content-Security-Policy runs no script but this file.
(function () {
  "use strict";
  var VERDICTS = ["SUPPORTED", "REFUTED", "CONFLICTING", "NOT_ENOUGH_INFO"];
  var main = document.getElementById("main");
  var timer = null;

  // ---- helpers ----------------------------------------------------------------------------
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  function show() {
    main.replaceChildren();
    for (var i = 0; i < arguments.length; i++) append(main, arguments[i]);
  }
  function href() { return "#/" + Array.prototype.map.call(arguments, encodeURIComponent).join("/"); }
  function badge(verdict) { return el("span", {"class": "badge " + verdict, "data-verdict": verdict, text: verdict.replace(/_/g, " ")}); }
  function confidence(value) {
    return el("span", {"class": "confidence", title: "confidence"}, el("span", {"class": "bar"}, el("i", {style: null, "data-w": value})),
              value.toFixed(2));
  }
  function sizeBars(root) {  // widths set from script (CSSOM), not from inline style attributes, which the CSP refuses
    root.querySelectorAll("[data-w]").forEach(function (i) { i.style.width = Math.round(Number(i.dataset.w) * 100) + "%"; });
  }
  function errorBox(message) { return el("div", {"class": "error", role: "alert", text: message}); }

  function token() { return sessionStorage.getItem("citetrail-token") || ""; }
  function api(method, path, body, isForm) {
    var headers = {};
    if (token()) headers.Authorization = "Bearer " + token();
    var init = {method: method, headers: headers};
    if (body !== undefined) {
      if (isForm) init.body = body;
      else { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    }
    return fetch(path, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = {error: "not JSON: " + text.slice(0, 200)}; }
        if (response.status === 401) { login(); throw new Error(data && data.error || "a token is needed"); }
        if (!response.ok) throw new Error((data && data.error) || ("HTTP " + response.status));
        return data;
      });
    });
  }
  function login() {
    show(el("h1", {text: "This server needs its token"}),
         el("form", {"class": "card", onsubmit: function (event) {
           event.preventDefault();
           sessionStorage.setItem("citetrail-token", event.target.elements.token.value.trim());
           api("GET", "/v1/health").then(route).catch(function () {});
         }}, el("label", {"for": "token", text: "Token (kept for this tab only)"}),
         el("input", {type: "password", id: "token", name: "token", autocomplete: "off"}),
         el("div", {"class": "row"}, el("button", {type: "submit", text: "Continue"}))));
  }

  // ---- a verdict and its citations --------------------------------------------------------
  function passage(result, citation) {
    var chunks = {};
    ((result.trail && result.trail.candidates) || []).forEach(function (c) { chunks[c.chunk.id] = c.chunk; });
    var chunk = chunks[citation.chunk_id], before = "", quote = citation.quote, after = "";
    if (chunk) {
      var s = citation.start - chunk.start, e = citation.end - chunk.start;
      if (s >= 0 && s <= e && e <= chunk.text.length) {
        before = chunk.text.slice(0, s); quote = chunk.text.slice(s, e); after = chunk.text.slice(e);
      }
    }
    return el("blockquote", {}, before, el("mark", {text: quote}), after);
  }
  function citationView(result, c) {
    var p = c.probabilities;
    var values = (c.quantities || []).map(function (q) {
      return " · claim: " + q.claim + "; evidence: " + q.evidence + " (" + (q.agrees ? "agree" : "differ") + ")";
    }).join("");
    return el("figure", {"class": "citation " + c.stance},
      el("figcaption", {}, c.stance + " · P(e/n/c) " + [p.entailment, p.neutral, p.contradiction].map(function (x) { return x.toFixed(2); }).join("/") + " · ",
         el("a", {href: href("documents", c.doc_id) + "?start=" + c.start + "&end=" + c.end, "class": "open-doc", text: c.title || c.doc_id}),
         (c.page ? " · p. " + c.page : "") + " · characters " + c.start + "–" + c.end + values),
      passage(result, c));
  }
  function resultCard(result, link) {
    var claim = result.claim;
    return el("article", {"class": "card result", "data-verdict": result.verdict},
      el("div", {"class": "verdict-head"}, badge(result.verdict), confidence(result.confidence)),
      el("h2", {"class": "claim"}, link ? el("a", {href: link, text: claim.text}) : claim.text),
      el("p", {"class": "meta"}, "rule: " + result.rule + " · " + result.judged_pairs + " sentences judged" +
         (claim.speaker ? " · said by " + claim.speaker : "") + (claim.id ? " · id " + claim.id : "")),
      result.citations.length ? result.citations.map(function (c) { return citationView(result, c); })
                              : el("p", {"class": "muted", text: "No passage of the corpus decides this claim."}));
  }

  // ---- pages ------------------------------------------------------------------------------
  function checkPage() {
    var box = el("textarea", {id: "claim-input", placeholder: "Paste a claim, or a whole article to check each of its claims", "aria-label": "claim or article"});
    var out = el("div", {id: "results"});
    function run(kind) {
      var text = box.value;
      var buttons = main.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      out.replaceChildren(el("p", {"class": "muted", text: kind === "check" ? "Checking…" : "Extracting and checking claims…"}));
      var call = kind === "check" ? api("POST", "/v1/check", {claim: text, trail: true}).then(function (r) { return [r]; })
                                  : api("POST", "/v1/audit", {text: text, trail: true}).then(function (report) {
                                      var s = report.summary;
                                      summary = el("p", {"class": "meta", id: "audit-summary"}, s.checked + " claims checked: ",
                                                   badge("SUPPORTED"), " " + s.supported + " ", badge("REFUTED"), " " + s.refuted + " ",
                                                   badge("CONFLICTING"), " " + s.conflicting + " ", badge("NOT_ENOUGH_INFO"), " " + s.unverified +
                                                   " · " + s.dropped + " sentences not worth checking");
                                      return report.results;
                                    });
      var summary = null;
      call.then(function (results) {
        out.replaceChildren();
        if (summary) out.appendChild(summary);
        if (!results.length) out.appendChild(el("p", {"class": "notice", text: "No checkable claim found in this text."}));
        results.forEach(function (r) { out.appendChild(resultCard(r)); });
        sizeBars(out);
      }).catch(function (e) { out.replaceChildren(errorBox(e.message)); })
        .then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
    }
    show(el("h1", {text: "Check a claim against your corpus"}),
         el("div", {"class": "card"}, box,
            el("div", {"class": "row"},
               el("button", {type: "button", id: "check-button", onclick: function () { run("check"); }, text: "Check claim"}),
               el("button", {type: "button", "class": "secondary", id: "audit-button", onclick: function () { run("audit"); }, text: "Check every claim of an article"}),
               el("span", {"class": "muted", text: "Verdicts cite the exact passages; open one to see it in its document."}))),
         out);
    box.focus();
  }

  function runsPage() {
    show(el("h1", {text: "Runs"}), el("p", {"class": "muted", text: "Loading…"}));
    api("GET", "/v1/runs").then(function (runs) {
      if (!runs.length) { show(el("h1", {text: "Runs"}), el("p", {"class": "notice"}, "No runs yet. ", el("a", {href: "#/batch", text: "Start a batch"}), ".")); return; }
      show(el("h1", {text: "Runs"}), el("table", {id: "runs-table"},
        el("thead", {}, el("tr", {}, ["run", "input", "status", "claims"].map(function (h) { return el("th", {text: h}); }),
                            el("th", {"class": "hide-narrow", text: "verdicts"}))),
        el("tbody", {}, runs.map(function (r) {
          return el("tr", {},
            el("td", {}, el("a", {href: href("runs", r.id), "class": "mono", text: r.id})),
            el("td", {text: r.input}), el("td", {text: r.status}), el("td", {"class": "num", text: r.checked + " / " + r.claims}),
            el("td", {"class": "hide-narrow"}, VERDICTS.filter(function (v) { return r.verdicts[v]; }).map(function (v) {
              return [badge(v), " " + r.verdicts[v] + " "];
            })));
        }))));
    }).catch(function (e) { show(el("h1", {text: "Runs"}), errorBox(e.message)); });
  }

  function runPage(runId, query) {
    var verdict = query.get("verdict") || "";
    Promise.all([api("GET", "/v1/runs/" + encodeURIComponent(runId)),
                 api("GET", "/v1/runs/" + encodeURIComponent(runId) + "/results" + (verdict ? "?verdict=" + verdict : ""))])
      .then(function (got) {
        var run = got[0], results = got[1];
        var tabs = el("nav", {"class": "tabs", id: "verdict-filter", "aria-label": "filter by verdict"},
          el("a", {href: href("runs", runId), "aria-current": String(verdict === ""), text: "all (" + run.checked + ")"}),
          VERDICTS.map(function (v) {
            return el("a", {href: href("runs", runId) + "?verdict=" + v, "data-verdict": v, "aria-current": String(verdict === v),
                            text: v.replace(/_/g, " ") + " (" + (run.verdicts[v] || 0) + ")"});
          }));
        show(el("h1", {}, "Run ", el("span", {"class": "mono", text: run.id})),
             el("p", {"class": "meta", text: run.input + " · " + run.status + " · " + run.checked + " of " + run.claims +
                      " claims checked · verifier " + run.versions.verifier_model + " · index " + run.versions.index_fingerprint}),
             el("p", {}, el("button", {type: "button", "class": "secondary", id: "claimreview-button", text: "ClaimReview JSON-LD", onclick: function (event) {
               api("GET", "/v1/runs/" + encodeURIComponent(run.id) + "/claimreview").then(function (reviews) {
                 event.target.replaceWith(el("pre", {"class": "card mono", id: "claimreview", text: JSON.stringify(reviews, null, 2)}));
               }).catch(function (e) { event.target.replaceWith(errorBox(e.message)); });
             }})),
             tabs,
             el("table", {id: "run-results"},
               el("thead", {}, el("tr", {}, el("th", {text: "claim"}), el("th", {text: "verdict"}), el("th", {text: "confidence"}))),
               el("tbody", {}, results.map(function (r) {
                 return el("tr", {"data-verdict": r.verdict},
                   el("td", {}, el("a", {href: href("runs", runId, "claims", r.claim.id), text: r.claim.text})),
                   el("td", {}, badge(r.verdict)), el("td", {"class": "num", text: r.confidence.toFixed(2)}));
               }))));
      }).catch(function (e) { show(el("h1", {text: "Run"}), errorBox(e.message)); });
  }

  function trailPage(runId, claimId) {
    api("GET", "/v1/runs/" + encodeURIComponent(runId) + "/claims/" + encodeURIComponent(claimId)).then(function (r) {
      var judged = (r.trail && r.trail.judgements) || [];
      var candidates = (r.trail && r.trail.candidates) || [];
      show(el("p", {"class": "meta"}, el("a", {href: href("runs", runId), text: "← run " + runId})),
           resultCard(r),
           el("div", {"class": "card"}, el("h2", {text: "Retrieved passages (" + candidates.length + ")"}),
             el("table", {}, el("thead", {}, el("tr", {}, ["rank", "document", "fused", "dense", "BM25"].map(function (h) { return el("th", {text: h}); }))),
               el("tbody", {}, candidates.map(function (c) {
                 return el("tr", {}, el("td", {"class": "num", text: c.rank}),
                   el("td", {}, el("a", {href: href("documents", c.chunk.doc_id) + "?start=" + c.chunk.start + "&end=" + c.chunk.end, text: c.title || c.chunk.doc_id})),
                   el("td", {"class": "num", text: c.fused_score.toFixed(3)}),
                   el("td", {"class": "num", text: c.dense_score === null ? "–" : c.dense_score.toFixed(3)}),
                   el("td", {"class": "num", text: c.lexical_score === null ? "–" : c.lexical_score.toFixed(2)}));
               })))),
           el("div", {"class": "card"}, el("h2", {text: "Judged sentences (" + judged.length + ")"}),
             el("table", {}, el("thead", {}, el("tr", {}, ["sentence", "stance", "P(e/n/c)"].map(function (h) { return el("th", {text: h}); }))),
               el("tbody", {}, judged.map(function (j) {
                 var p = j.probabilities;
                 return el("tr", {}, el("td", {}, el("a", {href: href("documents", j.doc_id) + "?start=" + j.start + "&end=" + j.end, text: j.quote}),
                                        j.relevant ? null : el("div", {"class": "meta", text: "not read: " + (j.relevance || "not about the claim")})),
                   el("td", {"class": "nowrap", text: j.stance}),
                   el("td", {"class": "num", text: p ? [p.entailment, p.neutral, p.contradiction].map(function (x) { return x.toFixed(2); }).join("/") : "–"}));
               })))));
      sizeBars(main);
    }).catch(function (e) { show(el("h1", {text: "Trail"}), errorBox(e.message)); });
  }

  function batchPage() {
    var file = el("input", {type: "file", id: "claims-file", accept: ".jsonl,.csv,.txt"});
    var lines = el("textarea", {id: "claims-lines", placeholder: "…or one claim a line"});
    var status = el("div", {id: "batch-status"});
    function follow(run) {
      var bar = el("progress", {id: "batch-progress", max: run.claims, value: run.done});
      var label = el("p", {"class": "meta"});
      status.replaceChildren(bar, label);
      function poll() {
        api("GET", "/v1/runs/" + encodeURIComponent(run.id)).then(function (r) {
          bar.value = r.done; label.textContent = "run " + r.id + ": " + r.done + " of " + r.claims + " claims · " + r.status;
          if (r.error) status.appendChild(errorBox(r.error));
          if (r.status === "done") status.appendChild(el("p", {}, el("a", {href: href("runs", r.id), id: "batch-open", text: "Open the results"})));
          else if (r.status !== "failed" && r.status !== "interrupted") timer = setTimeout(poll, 500);
        }).catch(function (e) { status.appendChild(errorBox(e.message)); });
      }
      poll();
    }
    function start() {
      var call;
      if (file.files.length) {
        var form = new FormData();
        form.append("file", file.files[0]);
        call = api("POST", "/v1/runs/upload", form, true);
      } else {
        call = api("POST", "/v1/runs", {claims: lines.value.split("\n").filter(function (l) { return l.trim(); })});
      }
      call.then(follow).catch(function (e) { status.replaceChildren(errorBox(e.message)); });
    }
    show(el("h1", {text: "Check a batch of claims"}),
         el("div", {"class": "card"},
            el("label", {"for": "claims-file", text: "Claims file: .jsonl (claim, optional id), .csv (a claim column) or .txt (one a line)"}),
            el("div", {"class": "row"}, file), el("div", {"class": "row"}, lines),
            el("div", {"class": "row"}, el("button", {type: "button", id: "batch-start", onclick: start, text: "Start the run"}))),
         status);
  }

  function documentsPage() {
    var file = el("input", {type: "file", id: "document-file", accept: ".txt,.md,.markdown,.html,.htm,.jsonl"});
    var status = el("div", {id: "upload-status"});
    var list = el("div", {id: "documents"}, el("p", {"class": "muted", text: "Loading…"}));
    function load() {
      api("GET", "/v1/documents").then(function (docs) {
        list.replaceChildren(el("table", {id: "documents-table"},
          el("thead", {}, el("tr", {}, el("th", {text: "document"}), el("th", {"class": "hide-narrow", text: "source"}), el("th", {text: "chunks"}), el("th", {}))),
          el("tbody", {}, docs.map(function (d) {
            return el("tr", {}, el("td", {}, el("a", {href: href("documents", d.id), text: d.title || d.id}), el("div", {"class": "meta mono", text: d.id})),
              el("td", {"class": "hide-narrow meta", text: d.source}), el("td", {"class": "num", text: d.chunks}),
              el("td", {}, el("button", {type: "button", "class": "danger", text: "Remove", onclick: function () {
                if (!confirm("Remove " + d.id + " from the store?")) return;
                api("DELETE", "/v1/documents/" + encodeURIComponent(d.id)).then(load).catch(function (e) { status.replaceChildren(errorBox(e.message)); });
              }})));
          }))));
      }).catch(function (e) { list.replaceChildren(errorBox(e.message)); });
    }
    function upload() {
      if (!file.files.length) { status.replaceChildren(errorBox("choose a file first")); return; }
      var form = new FormData();
      form.append("file", file.files[0]);
      status.replaceChildren(el("p", {"class": "muted", text: "Ingesting…"}));
      api("POST", "/v1/documents", form, true).then(function (r) {
        status.replaceChildren(el("p", {"class": "notice", text: r.added.length + " added, " + r.updated.length + " updated, " +
                                        r.unchanged.length + " unchanged; " + r.chunks_written + " chunks written"}));
        load();
      }).catch(function (e) { status.replaceChildren(errorBox(e.message)); });
    }
    show(el("h1", {text: "Documents"}),
         el("div", {"class": "card"}, el("label", {"for": "document-file", text: "Add a document: .txt, .md, .html or .jsonl"}),
            el("div", {"class": "row"}, file, el("button", {type: "button", id: "upload-button", onclick: upload, text: "Upload and ingest"})), status),
         list);
    load();
  }

  function documentPage(docId, query) {
    var start = Number(query.get("start")), end = Number(query.get("end"));
    api("GET", "/v1/documents/" + encodeURIComponent(docId)).then(function (d) {
      var text = d.text, body;
      if (query.has("start") && start >= 0 && start <= end && end <= text.length) {
        body = el("div", {"class": "doc-text", id: "doc-text"}, text.slice(0, start), el("mark", {id: "cited", text: text.slice(start, end)}), text.slice(end));
      } else {
        body = el("div", {"class": "doc-text", id: "doc-text", text: text});
      }
      show(el("p", {"class": "meta"}, el("a", {href: "#/documents", text: "← documents"})),
           el("article", {"class": "card"}, el("h1", {text: d.title || d.id}),
              el("p", {"class": "meta"}, d.id + " · " + d.source + (d.published ? " · " + d.published : "") +
                 (query.has("start") ? " · characters " + start + "–" + end : "") + " · ",
                 d.url && /^https?:/.test(d.url) ? el("a", {href: d.url, rel: "noreferrer noopener", text: "original"}) : null),
              body));
      var mark = document.getElementById("cited");
      if (mark) mark.scrollIntoView({block: "center"});
    }).catch(function (e) { show(el("h1", {text: "Document"}), errorBox(e.message)); });
  }

  function apiPage() {
    api("GET", "/openapi.json").then(function (spec) {
      var rows = [];
      Object.keys(spec.paths).forEach(function (path) {
        Object.keys(spec.paths[path]).forEach(function (method) {
          var op = spec.paths[path][method];
          rows.push(el("tr", {}, el("td", {}, el("span", {"class": "method", text: method.toUpperCase()})), el("td", {"class": "mono", text: path}),
                       el("td", {}, el("strong", {text: op.summary || ""}), el("div", {"class": "meta", text: op.description || ""}))));
        });
      });
      show(el("h1", {text: "HTTP API " + spec.info.version}),
           el("p", {}, spec.info.description + " The full OpenAPI document: ", el("a", {href: "/openapi.json", text: "/openapi.json"}),
              ". MCP (streamable HTTP): /mcp."),
           el("table", {id: "api-table"}, el("thead", {}, el("tr", {}, el("th", {text: "method"}), el("th", {text: "path"}), el("th", {text: "what"}))),
              el("tbody", {}, rows)));
    }).catch(function (e) { show(el("h1", {text: "API"}), errorBox(e.message)); });
  }

  // ---- routing ----------------------------------------------------------------------------
  function route() {
    clearTimeout(timer);
    var hash = location.hash.replace(/^#\/?/, "");
    var q = hash.indexOf("?");
    var query = new URLSearchParams(q >= 0 ? hash.slice(q + 1) : "");
    var parts = (q >= 0 ? hash.slice(0, q) : hash).split("/").filter(Boolean).map(decodeURIComponent);
    var page = parts[0] || "check";
    document.querySelectorAll("#nav a").forEach(function (a) {
      if (a.dataset.page === page) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
    document.title = "citetrail · " + page;
    if (page === "runs" && parts.length >= 4 && parts[2] === "claims") trailPage(parts[1], parts[3]);
    else if (page === "runs" && parts[1]) runPage(parts[1], query);
    else if (page === "runs") runsPage();
    else if (page === "batch") batchPage();
    else if (page === "documents" && parts[1]) documentPage(parts[1], query);
    else if (page === "documents") documentsPage();
    else if (page === "api") apiPage();
    else checkPage();
    window.scrollTo(0, 0);
  }
  window.addEventListener("hashchange", route);
  // Ask the server first: a server with a token shows its login before anything else.
  api("GET", "/v1/health").then(function (h) {
    document.getElementById("status").textContent = "citetrail " + h.citetrail + " · " + h.store;
    route();
  }).catch(function (e) { if (!/token/.test(e.message)) show(errorBox(e.message)); });
})();
