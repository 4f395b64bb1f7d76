// Render $…$, \(…\), $$…$$ and \[…\] in paper text with the vendored KaTeX (no inline script: the
// Content-Security-Policy forbids it). trust:false keeps \href{javascript:…} and friends inert.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof renderMathInElement !== "function") return;
  var options = {
    delimiters: [
      {left: "$$", right: "$$", display: true},
      {left: "\\[", right: "\\]", display: true},
      {left: "\\(", right: "\\)", display: false},
      {left: "$", right: "$", display: false},
      {left: "\\begin{equation}", right: "\\end{equation}", display: true},
      {left: "\\begin{equation*}", right: "\\end{equation*}", display: true},
      {left: "\\begin{align}", right: "\\end{align}", display: true},
      {left: "\\begin{align*}", right: "\\end{align*}", display: true},
      {left: "\\begin{gather}", right: "\\end{gather}", display: true},
      {left: "\\begin{gather*}", right: "\\end{gather*}", display: true}
    ],
    throwOnError: false,
    trust: false,
    strict: "ignore",
    maxSize: 20,
    maxExpand: 200
  };
  document.querySelectorAll(".math").forEach(function (element) {
    try { renderMathInElement(element, options); } catch (e) { /* leave the text as written */ }
  });
  document.documentElement.setAttribute("data-math", "rendered");
});
