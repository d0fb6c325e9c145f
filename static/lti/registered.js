// LTI Dynamic Registration's last step: tell the LMS (our opener or parent) that the registration is done.
(function () {
  "use strict";
  var target = window.opener || window.parent;
  if (target && target !== window) target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
})();
