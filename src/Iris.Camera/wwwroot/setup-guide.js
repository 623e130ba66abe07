// The guide in the language chosen in the app (the same stored choice, else the browser's). Without script both
// languages stay on the page, one after the other.
const chosen = localStorage.getItem("iris-language") || (navigator.language && navigator.language.toLowerCase().startsWith("zh") ? "zh-Hant" : "en");
const lang = chosen === "zh-Hant" ? "zh-TW" : "en";
for (const section of document.querySelectorAll("main > section[lang]")) section.hidden = section.lang !== lang;
document.documentElement.lang = lang;
document.title = lang === "en" ? "Setup guide" : "設定指南";
