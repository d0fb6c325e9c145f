// The signed deep-linking response goes back to the LMS at once; the button stays for browsers without script.
(function () {
  "use strict";
  var form = document.getElementById("lti-deep-link-return");
  if (form) form.submit();
})();
