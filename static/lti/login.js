// Inside the LMS's frame: if this browser keeps a cookie here (a third-party one), the login continues in the
// frame; if not, only the "Open in a new window" link is offered, since the launch would lose its state.
(function () {
  "use strict";
  var box = document.getElementById("lti-login");
  if (!box) return;
  var checking = document.getElementById("lti-checking");
  var fallback = document.getElementById("lti-new-window");
  var secure = window.location.protocol === "https:";
  document.cookie = "lti_cookie_check=1; path=/; max-age=60" + (secure ? "; SameSite=None; Secure" : "");
  if (document.cookie.indexOf("lti_cookie_check=1") !== -1) {
    document.cookie = "lti_cookie_check=; path=/; max-age=0" + (secure ? "; SameSite=None; Secure" : "");
    fallback.hidden = true;
    window.location.replace(box.getAttribute("data-continue"));
  } else {
    checking.hidden = true;
  }
})();
