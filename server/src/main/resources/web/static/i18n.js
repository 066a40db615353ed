// UI text in English and Chinese. The language comes from the visitor's choice (kept in localStorage), else
// from the browser's languages (navigator.languages, which follows Accept-Language), else English.
const TEXT = {
  en: {
    'nav.label': 'Site', 'nav.skip': 'Skip to content', 'nav.lookup': 'Look up', 'nav.report': 'Report',
    'nav.appeal': 'Appeal', 'nav.dashboard': 'Dashboard', 'lang.switch': '中文', 'lang.switchLabel': '切换到中文',
    'title.lookup': 'Look up a number — Dunblock', 'title.report': 'Report a number — Dunblock',
    'title.appeal': 'Appeal a verdict — Dunblock', 'title.dashboard': 'Operators\u2019 dashboard — Dunblock',
    'field.number': 'Phone number', 'field.numberHint': 'Any format: +86 138 0013 8000, 138-0013-8000, 13800138000',
    'field.category': 'What happened?', 'field.categoryChoose': 'Choose one…',
    'field.platform': 'Lending app or platform the caller named (optional)',
    'field.note': 'Note (optional)', 'field.noteHint': 'Do not write names or other personal details.',
    'field.contact': 'How can we reach you?', 'field.contactHint': 'An email address or phone number. Only our operators see it.',
    'field.reason': 'Why is the verdict wrong?',
    'error.required.number': 'Enter a phone number.', 'error.required.category': 'Choose what happened.',
    'error.required.contact': 'Tell us how to reach you.', 'error.required.reason': 'Tell us why the verdict is wrong.',
    'error.invalid_number': 'This is not a phone number we can read. Check the digits.',
    'error.nothing_to_appeal': 'This number is not blocked or warned about, so there is nothing to appeal.',
    'error.rate_limited': 'Too many attempts. Please try again later.',
    'error.store_unavailable': 'The service is busy. Please try again in a few seconds.',
    'error.network': 'Could not reach the server. Check your connection and try again.',
    'error.generic': 'Something went wrong: ',
    'lookup.heading': 'Who is calling me?',
    'lookup.intro': 'Look up a number that calls you. See what other people reported about it, and what you can do.',
    'lookup.submit': 'Look up', 'lookup.loading': 'Looking up…',
    'verdict.ALLOW': 'No warning', 'verdict.WARN': 'Be careful', 'verdict.BLOCK': 'Block',
    'verdict.ALLOW.text': 'We have no warning about this number.',
    'verdict.WARN.text': 'People reported this number. Be careful before you answer.',
    'verdict.BLOCK.text': 'Many people on different networks reported this number. We recommend blocking it.',
    'result.reports': 'People who reported it', 'result.reporters': 'Complaints', 'result.networks': 'Networks',
    'result.score': 'Score (0 to 1)', 'result.first': 'First reported call', 'result.last': 'Last reported call',
    'result.reasons': 'Why', 'result.categories': 'What people reported', 'result.platforms': 'Platforms named',
    'result.chart': 'Reports over the last 30 days', 'result.advice': 'What you can do', 'result.none': 'None',
    'result.chartLabel': 'Reported calls per day, last 30 days: {total} in all',
    'result.reportLink': 'Report this number', 'result.appealLink': 'Is this your number? Appeal the verdict',
    'reason.CROWD_REPORTS': 'People reported it as harassment or fraud.',
    'reason.QUORUM_NOT_MET': 'Reports come from too few people or networks to block it yet.',
    'reason.COUNTER_VOTES': 'Some people said this number is fine.',
    'reason.OPERATOR_OVERRIDE': 'Our operators checked this number and set the verdict.',
    'reason.ADDRESS_BOOK_EXPLOSION': 'It calls many people from one borrower\u2019s contacts ("address book explosion").',
    'reason.CALL_BOMBING': 'It rings many phones non-stop (call bombing).',
    'reason.RANGE': 'Many numbers next to it are blocked.',
    'reason.DEGRADED': 'The service is busy; this answer may be incomplete.',
    'category.DEBT_COLLECTION': 'Debt collection (calling the borrower)',
    'category.CONTACT_HARASSMENT': 'Harassing a borrower\u2019s contacts',
    'category.THREAT': 'Threats', 'category.FRAUD': 'Fraud', 'category.TELEMARKETING': 'Telemarketing',
    'category.SILENT': 'One ring, silent or bombing calls', 'category.LEGITIMATE': 'This number is fine',
    'advice.block': 'Block the number in your phone or your call-blocking app.',
    'advice.dontPay': 'Do not give money or personal details to a caller who threatens you or your family.',
    'advice.evidence': 'Keep evidence: screenshots of the call log and messages, dates and times, recordings where the law allows.',
    'advice.complain': 'Complain: to the lending app\u2019s customer service; about licensed lenders to the financial regulator\u2019s consumer hotline (12378 in China); about harassing calls to 12321.',
    'advice.police': 'If you are threatened, call the police (110 in China).',
    'advice.unreported': 'Nobody has reported this number. If it harasses you, report it so others are warned.',
    'report.heading': 'Report a number',
    'report.intro': 'No account needed. We never show who reported a number.',
    'report.submit': 'Send report', 'report.sending': 'Sending…',
    'report.done': 'Thank you. Your report about {number} was received.',
    'report.updated': 'Thank you. You had reported {number} before; your report was updated.',
    'report.lookLink': 'See what is known about this number',
    'appeal.heading': 'Appeal a verdict on your number',
    'appeal.intro': 'If your own number is blocked or warned about by mistake (numbers get recycled), ask us to review it.',
    'appeal.submit': 'Send appeal', 'appeal.done': 'Your appeal was received (reference {id}). An operator will review it.',
    'dash.heading': 'Operators\u2019 dashboard', 'dash.key': 'Operator key', 'dash.keyHint': 'Kept in this tab only.',
    'dash.signIn': 'Sign in', 'dash.signOut': 'Sign out', 'dash.badKey': 'This key was not accepted.',
    'dash.figures': 'Live figures', 'dash.updated': 'Updated {time}',
    'dash.lookupsMin': 'Lookups this minute', 'dash.reportsMin': 'Reports this minute',
    'dash.fastPath': 'Fast-path ratio', 'dash.blocked': 'Blocked numbers', 'dash.reports24': 'Reports, last 24 h',
    'dash.listed': 'Listed numbers', 'dash.lookupsChart': 'Lookups per minute (this instance, last hour)',
    'dash.reportsChart': 'Reports per minute (last hour)', 'dash.topNumbers': 'Top numbers, last 24 h',
    'dash.topPlatforms': 'Top platforms, last 24 h', 'dash.alerts': 'Address-book explosion alerts',
    'dash.noAlerts': 'No alerts.', 'dash.lowerBound': '(at least)',
    'dash.appeals': 'Appeals waiting for a decision', 'dash.refresh': 'Refresh the list', 'dash.noAppeals': 'No appeals are waiting.',
    'dash.col.number': 'Number', 'dash.col.verdict': 'Current verdict', 'dash.col.reason': 'Reason',
    'dash.col.contact': 'Contact', 'dash.col.filed': 'Filed', 'dash.col.decide': 'Decision',
    'dash.decisionNote': 'Note for {number}', 'dash.allow': 'Allow', 'dash.reject': 'Reject',
    'dash.pack': 'Evidence pack', 'dash.decided': 'Appeal {id}: {status}.',
    'dash.overrides': 'Overrides', 'dash.overrideVerdict': 'Verdict', 'dash.overrideReason': 'Reason',
    'dash.overrideSet': 'Set override', 'dash.overrideClear': 'Clear override', 'dash.overrideDone': 'Saved.',
    'dash.needAdmin': 'This needs an admin key.',
    'dash.downloads': 'Exports and evidence packs', 'dash.exportCsv': 'Export (CSV)', 'dash.exportJsonl': 'Export (JSON lines)',
    'dash.packNumber': 'Evidence pack for a number', 'dash.packPlatform': 'Evidence pack for a platform',
    'dash.platform': 'Platform', 'dash.download': 'Download',
  },
  zh: {
    'nav.label': '网站', 'nav.skip': '跳到正文', 'nav.lookup': '查询', 'nav.report': '举报',
    'nav.appeal': '申诉', 'nav.dashboard': '管理台', 'lang.switch': 'English', 'lang.switchLabel': 'Switch to English',
    'title.lookup': '查询号码 — Dunblock', 'title.report': '举报号码 — Dunblock',
    'title.appeal': '申诉 — Dunblock', 'title.dashboard': '运营管理台 — Dunblock',
    'field.number': '电话号码', 'field.numberHint': '任何写法均可：+86 138 0013 8000、138-0013-8000、13800138000',
    'field.category': '发生了什么？', 'field.categoryChoose': '请选择…',
    'field.platform': '对方提到的借贷平台或App（可选）',
    'field.note': '备注（可选）', 'field.noteHint': '请不要填写姓名等个人信息。',
    'field.contact': '如何联系您？', 'field.contactHint': '邮箱或电话。只有我们的运营人员能看到。',
    'field.reason': '为什么这个结果不对？',
    'error.required.number': '请输入电话号码。', 'error.required.category': '请选择发生了什么。',
    'error.required.contact': '请留下联系方式。', 'error.required.reason': '请说明理由。',
    'error.invalid_number': '无法识别这个号码，请检查数字。',
    'error.nothing_to_appeal': '这个号码没有被拦截或警告，无需申诉。',
    'error.rate_limited': '尝试次数过多，请稍后再试。',
    'error.store_unavailable': '服务繁忙，请几秒后再试。',
    'error.network': '无法连接服务器，请检查网络后重试。',
    'error.generic': '出错了：',
    'lookup.heading': '是谁在给我打电话？',
    'lookup.intro': '查询给您打电话的号码，看看其他人举报了什么，以及您可以怎么做。',
    'lookup.submit': '查询', 'lookup.loading': '查询中…',
    'verdict.ALLOW': '无警告', 'verdict.WARN': '请注意', 'verdict.BLOCK': '建议拦截',
    'verdict.ALLOW.text': '我们没有关于这个号码的警告。',
    'verdict.WARN.text': '有人举报过这个号码，接听前请注意。',
    'verdict.BLOCK.text': '来自不同网络的多人举报了这个号码，建议拦截。',
    'result.reports': '举报人数', 'result.reporters': '投诉', 'result.networks': '网络数',
    'result.score': '评分（0 到 1）', 'result.first': '首次被举报的来电', 'result.last': '最近被举报的来电',
    'result.reasons': '原因', 'result.categories': '举报内容', 'result.platforms': '提到的平台',
    'result.chart': '最近 30 天的举报', 'result.advice': '您可以怎么做', 'result.none': '无',
    'result.chartLabel': '最近 30 天每天被举报的来电：共 {total} 次',
    'result.reportLink': '举报这个号码', 'result.appealLink': '这是您的号码？申诉',
    'reason.CROWD_REPORTS': '有人举报其骚扰或诈骗。',
    'reason.QUORUM_NOT_MET': '举报的人数或网络还不够，暂不拦截。',
    'reason.COUNTER_VOTES': '有人表示这个号码是正常的。',
    'reason.OPERATOR_OVERRIDE': '我们的运营人员核实了这个号码并设定了结果。',
    'reason.ADDRESS_BOOK_EXPLOSION': '它在给同一借款人的多位联系人打电话（“爆通讯录”）。',
    'reason.CALL_BOMBING': '它不停地呼叫多部手机（呼死你）。',
    'reason.RANGE': '与它相邻的许多号码已被拦截。',
    'reason.DEGRADED': '服务繁忙，此结果可能不完整。',
    'category.DEBT_COLLECTION': '催收（打给借款人本人）',
    'category.CONTACT_HARASSMENT': '骚扰借款人的联系人',
    'category.THREAT': '威胁恐吓', 'category.FRAUD': '诈骗', 'category.TELEMARKETING': '推销',
    'category.SILENT': '响一声、无声或轰炸电话', 'category.LEGITIMATE': '这个号码是正常的',
    'advice.block': '在手机或拦截App中拦截这个号码。',
    'advice.dontPay': '对方威胁您或您的家人时，不要转账，也不要提供个人信息。',
    'advice.evidence': '保留证据：通话记录和短信截图、日期和时间，在法律允许时录音。',
    'advice.complain': '投诉：向借贷App的客服投诉；持牌机构可拨打金融监管消费者投诉热线 12378；骚扰电话可向 12321 举报。',
    'advice.police': '如果受到威胁，请报警（110）。',
    'advice.unreported': '还没有人举报这个号码。如果它骚扰您，请举报，让其他人得到提醒。',
    'report.heading': '举报号码',
    'report.intro': '无需注册。我们从不公开举报人是谁。',
    'report.submit': '提交举报', 'report.sending': '提交中…',
    'report.done': '谢谢。我们已收到您对 {number} 的举报。',
    'report.updated': '谢谢。您之前举报过 {number}，已更新您的举报。',
    'report.lookLink': '查看这个号码的信息',
    'appeal.heading': '对自己号码的结果提出申诉',
    'appeal.intro': '如果您自己的号码被误拦截或误警告（号码会被回收再分配），请让我们复核。',
    'appeal.submit': '提交申诉', 'appeal.done': '已收到您的申诉（编号 {id}）。运营人员会进行复核。',
    'dash.heading': '运营管理台', 'dash.key': '运营密钥', 'dash.keyHint': '只保存在当前标签页中。',
    'dash.signIn': '登录', 'dash.signOut': '退出', 'dash.badKey': '密钥无效。',
    'dash.figures': '实时数据', 'dash.updated': '更新于 {time}',
    'dash.lookupsMin': '本分钟查询', 'dash.reportsMin': '本分钟举报',
    'dash.fastPath': '快速路径比例', 'dash.blocked': '被拦截号码', 'dash.reports24': '最近 24 小时举报',
    'dash.listed': '在册号码', 'dash.lookupsChart': '每分钟查询（本实例，最近一小时）',
    'dash.reportsChart': '每分钟举报（最近一小时）', 'dash.topNumbers': '最近 24 小时举报最多的号码',
    'dash.topPlatforms': '最近 24 小时被提到最多的平台', 'dash.alerts': '爆通讯录警报',
    'dash.noAlerts': '没有警报。', 'dash.lowerBound': '（至少）',
    'dash.appeals': '待处理的申诉', 'dash.refresh': '刷新列表', 'dash.noAppeals': '没有待处理的申诉。',
    'dash.col.number': '号码', 'dash.col.verdict': '当前结果', 'dash.col.reason': '理由',
    'dash.col.contact': '联系方式', 'dash.col.filed': '提交时间', 'dash.col.decide': '决定',
    'dash.decisionNote': '{number} 的备注', 'dash.allow': '通过', 'dash.reject': '驳回',
    'dash.pack': '证据包', 'dash.decided': '申诉 {id}：{status}。',
    'dash.overrides': '人工设定', 'dash.overrideVerdict': '结果', 'dash.overrideReason': '理由',
    'dash.overrideSet': '设定', 'dash.overrideClear': '清除设定', 'dash.overrideDone': '已保存。',
    'dash.needAdmin': '这需要管理员密钥。',
    'dash.downloads': '导出与证据包', 'dash.exportCsv': '导出（CSV）', 'dash.exportJsonl': '导出（JSON lines）',
    'dash.packNumber': '号码证据包', 'dash.packPlatform': '平台证据包',
    'dash.platform': '平台', 'dash.download': '下载',
  },
};

const STORAGE = 'dunblock.lang';
const listeners = [];
let current = choose();

function choose() {
  const saved = localStorage.getItem(STORAGE);
  if (saved && TEXT[saved]) {
    return saved;
  }
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const base = tag.toLowerCase().split('-')[0];
    if (TEXT[base]) {
      return base;
    }
  }
  return 'en';
}

export function lang() {
  return current;
}

/** The text for a key in the current language, with {name} placeholders filled from vars. */
export function t(key, vars = {}) {
  const text = TEXT[current][key] ?? TEXT.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** Sets every [data-i18n] element's text (textContent only) and the page's language. */
export function translate(root = document) {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  for (const node of root.querySelectorAll('[data-i18n]')) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of root.querySelectorAll('[data-i18n-label]')) {
    node.setAttribute('aria-label', t(node.dataset.i18nLabel));
  }
  const button = document.getElementById('lang-switch');
  if (button) {
    button.lang = current === 'zh' ? 'en' : 'zh-CN';
  }
}

/** Calls fn now and whenever the visitor switches language. */
export function onLanguage(fn) {
  listeners.push(fn);
  fn();
}

export function setLanguage(code) {
  current = TEXT[code] ? code : 'en';
  localStorage.setItem(STORAGE, current);
  translate();
  listeners.forEach((fn) => fn());
}

export function initLanguage() {
  translate();
  const button = document.getElementById('lang-switch');
  if (button) {
    button.addEventListener('click', () => setLanguage(current === 'zh' ? 'en' : 'zh'));
  }
}
