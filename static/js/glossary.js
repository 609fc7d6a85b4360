// 术语对照: the Chinese terms this page uses, beside the English and the article's
// translation's own (where it differs), so a student can read the page, the translation
// and today's textbooks side by side. Opened from the page header as a modal <dialog>:
// focus moves into it, Escape or the Close button closes it, focus returns to the button.
import { language, t } from "./i18n/index.js";

// [English, this page, the translation's term ("" where it is the same or not given),
//  a note in Chinese, the same note in English]
export const TERMS = [
  ["cell state (C)", "细胞状态", "单元状态", "LSTM 沿顶部传送带流动的状态；《动手学深度学习》称“记忆元”。",
    "The state that runs along the LSTM's belt; the textbook Dive into Deep Learning calls it 记忆元."],
  ["gate", "门", "门限", "一个 σ 层加一次逐点乘法：0 表示什么都不放过，1 表示全部放过。",
    "A σ layer and a pointwise multiplication: 0 lets nothing through, 1 everything."],
  ["forget gate layer", "遗忘门（层）", "遗忘门限层", "f_t：决定从细胞状态中丢掉多少。", "f_t: how much of the cell state to throw away."],
  ["input gate layer", "输入门（层）", "输入门限层", "i_t：决定写入多少候选值。", "i_t: how much of the candidate values to write."],
  ["output gate", "输出门", "", "o_t：决定输出多少 tanh(C_t)。", "o_t: how much of tanh(C_t) to output."],
  ["candidate values (C̃)", "候选值", "", "tanh 层提出的、可能写进细胞状态的新值。", "New values, proposed by a tanh layer, that may be written to the cell state."],
  ["hidden unit", "神经元", "",
    "h 和 C 的一个分量（第 u 个）。原译文的“单元”指整个 LSTM 单元（“单元状态”的“单元”），为免混淆，本页不单说“单元”；教材中也叫“隐藏单元”。",
    "One component (the u-th) of h and C. The translation's 单元 means the whole LSTM cell (as in 单元状态), so this page never calls a unit 单元 alone; textbooks also say 隐藏单元."],
  ["hidden state / output (h)", "隐状态（输出）", "", "h_t = o_t * tanh(C_t)，传给下一步，也是这一步的输出。",
    "h_t = o_t * tanh(C_t), passed to the next step and output at this one."],
  ["conveyor belt", "传送带", "", "文章对细胞状态的比喻：信息几乎不变地沿链条流动。", "The article's image of the cell state: information flows down the chain almost unchanged."],
  ["pointwise operation", "逐点运算", "", "图中粉色圆圈：逐元素的加法、乘法、tanh。", "The pink circles: element-wise addition, multiplication, tanh."],
  ["token", "词元", "", "模型一次读入的单位：一个字符或一个词。", "What the model reads at one step: a character or a word."],
  ["peephole connection", "窥视孔连接", "", "让门也看到细胞状态。", "Lets the gates see the cell state too."],
  ["update gate / reset gate (GRU)", "更新门 / 重置门", "", "GRU 的 z_t 和 r_t。", "The GRU's z_t and r_t."],
  ["unrolled chain", "展开的链", "", "把循环按时间展开，每一步一个相同的模块。", "The loop laid out in time: one copy of the same module per step."],
];

function cell(tag, text, lang) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (lang) element.lang = lang;
  return element;
}

export function fillGlossary(table) {
  const head = document.createElement("tr");
  for (const key of ["glossary_english", "glossary_page", "glossary_article", "glossary_note"]) {
    const th = cell("th", t(key));
    th.scope = "col";
    head.append(th);
  }
  const english = language() === "en";
  const rows = TERMS.map(([term, page, article, noteZh, noteEn]) => {
    const row = document.createElement("tr");
    const note = english ? cell("td", noteEn, "en") : cell("td", noteZh, "zh-Hans");
    row.append(cell("th", term, "en"), cell("td", page, "zh-Hans"), cell("td", article || "—", "zh-Hans"), note);
    row.firstChild.scope = "row";
    return row;
  });
  const caption = cell("caption", t("glossary_title"));
  caption.className = "visually-hidden";  // the dialog's heading says it on screen
  table.replaceChildren(caption, document.createElement("thead"), document.createElement("tbody"));
  table.tHead.append(head);
  table.tBodies[0].append(...rows);
}

export function connectGlossary($) {
  const button = $("glossary");
  const dialog = $("glossary-dialog");
  if (!button || !dialog) return;
  button.addEventListener("click", () => {
    fillGlossary($("glossary-table"));
    dialog.showModal();
  });
  $("close-glossary").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => button.focus());
}
