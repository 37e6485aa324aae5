import "./x.mjs";
