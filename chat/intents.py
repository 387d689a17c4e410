"""What a customer message asks, recognised from its words before (and over) the classifier's guess.

The classifier is good at topics and poor at a few things a customer must never get wrong: a complaint or a legal
request must reach a person, "let me talk to a person" is a handoff, "thanks, that's all" is a goodbye, "are you a
bot?" deserves an honest answer, and an FAQ fact asked another way ("代引きの手数料は？") is still that FAQ entry.
These are recognised here by phrases, in Japanese and English, and each names the category it belongs to, so a
message the rules recognise is routed the same way however the classifier scored it. A message no rule recognises
is left to the classifier and the catalog search.

Order matters: legal and complaint first (a furious customer who also says "thanks" is still a complaint), then a
request for a person, the question whether we are a bot, goodbyes, damaged copies, then FAQ topics and delivery
regions. The rules read the customer's own words only, never an earlier turn.
"""

import re
import unicodedata
from dataclasses import dataclass

# kinds whose answer a person gives: the pipeline acknowledges and hands the message over
HANDOFF_KINDS = {"legal", "complaint", "human_request"}


@dataclass(frozen=True)
class Intent:
    kind: str  # legal | complaint | human_request | identity | closer | order | faq | ship_region
    category: str  # a chat.models.Category
    faq_keys: tuple[str, ...] = ()  # the FAQ entries the answer quotes, in order


def _any(*patterns: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


LEGAL = _any(
    r"\bAPPI\b", r"\bGDPR\b", r"privacy (?:law|act)", r"\blawyers?\b", r"\battorneys?\b", r"\bsue\b", r"\bsuing\b",
    r"lawsuit", r"legal (?:action|notice|request|steps|proceedings|complaint)", r"\bcourt\b",
    r"(?:access|copy|delete|erase|remove|disclos\w*|all)\b[^.?!]{0,40}\b(?:personal (?:data|information)|my data)",
    r"(?:personal (?:data|information)|my data)\b[^.?!]{0,40}\b(?:you hold|you keep|you have|delet|eras|access)",
    r"(?:every|all|any) records? (?:you|that you) (?:keep|hold|have) (?:on|about) me",
    r"個人情報保護法", r"開示(?:を)?請求", r"開示請求", r"利用停止", r"削除請求", r"訴え", r"訴訟", r"裁判", r"弁護士",
    r"法的", r"消費者(?:センター|庁)",
    r"消費生活センター", r"consumer (?:affairs|protection|cent(?:er|re))", r"(?:個人情報|個人データ|私のデータ)[^。？！]{0,20}(?:削除|開示|教えて|消して|やめて)",
)
COMPLAINT = _any(
    r"\bmanager\b", r"\bsupervisor\b", r"\bescalate\b", r"unacceptable", r"\bterrible\b", r"\bawful\b",
    r"\bworst\b", r"\bridiculous\b", r"\bdisgusting\b", r"\bcomplain(?:t|ing|ed)?\b", r"who(?:'s| is) in charge",
    r"nobody (?:answers|replies|replied|has replied|responds|got back)", r"no one (?:answers|replies|replied)",
    r"never (?:use|shop|buy) (?:here|from you|again)", r"\bfed up\b", r"\bfurious\b", r"\bangry\b",
    r"店長", r"責任者", r"上司", r"最悪", r"不快", r"ふざけ", r"二度と(?:使|利用|買)", r"たらい回し", r"クレーム",
    r"苦情", r"誠意", r"謝罪", r"何の連絡も(?:ない|なし|無い)", r"きちんと説明", r"ひどい(?:対応|店)", r"怒って",
    r"いい加減にし", r"腹が立", r"頭に(?:来|く)", r"(?:ムカ|むか)つ", r"激怒", r"許せな", r"(?:2|二|２|3|三|３)回(?:続けて|連続)",
    r"\bsick (?:and tired )?of\b", r"\bpissed\b", r"(?:second|third|2nd|3rd) time in a row",
    r"\b(?:second|third|fourth|2nd|3rd|4th) time (?:my|that|the|this|i|you)\b", r"\bnot happy\b",
    r"\b(?:really|so|very|extremely|deeply|totally|super) disappointed\b", r"\bkeeps? getting worse\b",
    r"がっかりし(?:まし)?た", r"失望", r"態度(?:が|も)?(?:ひど|悪|最悪|なって(?:な|い))", r"怒鳴", r"不愉快", r"何とかしてください",
    r"どない(?:なっ|なって)と", r"どうなっと(?:ん|る)", r"遅すぎ", r"もう(?:3|三|4|四|5|五)回目", r"\b(?:a|such a|total|complete) mess\b",
    r"\bcurt (?:reply|answer|response)\b", r"\bunhappy with\b",
    r"改善して(?:ください|下さい|ほしい|欲しい|いただ)", r"毎回(?:これ|こんな|同じ)",
    r"(?:誰から|どこから|一度)も[^。]{0,4}(?:返事|返信|連絡|回答)(?:が|は)?(?:ない|来|こ|な)", r"(?:何|\d|[二三四五])(?:回|度)も(?:問い合わせ|連絡|メール|電話)",
    r"\b(?:was|were|so|very|really|extremely) rude\b", r"\b(?:yelled|shouted|screamed) at (?:me|us)\b",
)
HUMAN = _any(
    r"\b(?:speak|talk|chat)\s+(?:to|with)\s+(?:a|an|some|your)?\s*(?:real\s+|live\s+|actual\s+)?(?:human|person|agent|"
    r"someone|somebody|staff|representative|rep|operator|people)\b",
    r"\b(?:connect|transfer|put)\s+me\b", r"\bget me (?:a|an)?\s*(?:real |live )?(?:human|person|agent|operator)",
    r"\blive (?:agent|person|operator|support)\b", r"\bhuman,? please\b", r"\bwant (?:a|to see a) human\b",
    r"人と話", r"人間と話", r"人に相談", r"人間の(?:スタッフ|方|担当)(?!(?:さん|者)?(?:です|でしょう|なの)(?:か|[？?]))",
    r"オペレーター(?:の方|さん)?(?:に|と|へ)", r"有人",
    r"担当(?:者|の方)[^。？]{0,6}(?:話|代わ|かわ|つな|繋)", r"スタッフ[^。？]{0,6}(?:代わ|かわ|つな|繋|話)",
)
IDENTITY = _any(
    r"\bare you (?:a |an )?(?:real|human|person|bot|robot|ai|machine|chat\s?bot|computer|automated)",
    r"\bis this (?:a |an )?(?:real|human|person|bot|robot|ai|machine|chat\s?bot|automated)",
    r"\b(?:am i|i'?m) (?:talking|chatting|speaking) (?:to|with|w/) (?:a |an )?(?:actual |real )?(?:real|human|person|bot|robot|ai|machine|automated)",
    r"\br u (?:a )?(?:human|bot|real|ai|robot)\b", r"\b(?:is this|are you|am i (?:talking|chatting) (?:to|with)) [A-Z][a-z]+ from (?:support|customer (?:service|support)|the (?:store|shop|team))\b", r"\bor (?:an? )?(?:ai|bot|robot|chat\s?bot|machine)\s*[?？]",
    r"\b(?:actual|real|live) (?:staff|person|human|employee)s?(?: member)? (?:typing|writing|answering|replying)\b", r"\bu a (?:bot|human|robot)\b",
    r"(?:ボット|ロボット|機械)(?:です|なの|でしょう|と話|か[？?]|[？?])", r"(?<![A-Za-z])(?:AI|ＡＩ)(?:です|なの|でしょう|と話)",
    r"(?<![A-Za-z])(?:AI|ＡＩ)(?:が|で)(?:返事|返信|答え|回答|対応|応答)", r"自動(?:返信|応答)", r"人間(?:です)?か", r"(?:人間|本物)の(?:スタッフ|方|担当)(?:さん|者)?(?:です|でしょう|なの)(?:か|[？?])", r"人が(?:答え|対応|返信|返事)",
    r"中の人", r"本物の(?:店員|人|人間|スタッフ)", r"自動で(?:返事|返信|答え|応答|回答)",
    r"(?:店員|人間|スタッフ)(?:さん)?が(?:打|書|答え|対応|返信|返事)",
)
_HAVE_A_GOOD_ONE = r"have a (?:good|great|nice) (?:one|day|night|evening|weekend)"
CLOSER = _any(
    r"\bthanks?\b", r"\bthank you\b", r"\bthx\b", r"\bty\b", r"\bbye\b", r"that'?s all", r"got it", r"\bcheers\b",
    r"nice day", r"ありがと", r"助かりました", r"助かった", r"解決しました", r"了解", r"わかりました", r"分かりました",
    r"失礼します", r"大丈夫です", r"以上です", r"どうも(?=です|でした|ありがと|[!！。.ー〜\s]*$)",
    r"(?:それ|これ)で(?:全部|終わり|大丈夫|OK)", r"that'?s everything", r"\bthat will be all\b", r"no more questions",
    _HAVE_A_GOOD_ONE, r"that answers (?:everything|it|my question)",
)
# hello, or "what can you do?": the one kind of message the store's greeting answers
GREETING = _any(
    r"^\W*(?:hi|hello|hey|hiya|yo|good (?:morning|afternoon|evening)|greetings|howdy)\b", r"\bwhat can you (?:do|help)",
    r"\bhow (?:does|do) (?:this|you) work", r"^\W*(?:help|start|test)\W*$", r"こんにち[はわ]", r"こんばん[はわ]", r"おはよう",
    r"はじめまして", r"初めまして", r"もしもし", r"よろしく", r"何が(?:でき|聞け)", r"何ができ", r"使い方", r"^\W*$",
)
# a message that still asks something is not a goodbye, however politely it starts
STILL_ASKING = _any(r"[?？]", r"ますか", r"ですか", r"でしょうか", r"\b(?:is|are|do|does|can|could|how|what|when|where|"
                    r"which|who|why)\b.*\b(?:you|it|the|there|my|i)\b", r"\d",
                    r"確認(?:したい|して(?:ほしい|欲しい|ください|いただ))", r"教えて(?:ください|下さい|ほしい|欲しい)", r"知りたい")
DAMAGED = _any(
    r"(?<!what's the )(?<!whats the )(?<!what is the )\bdamaged?\b", r"\bbent\b", r"\bcracked\b",
    r"\bpages?\b[^.?!]{0,20}\b(?:coming|came|falling|fell|come) (?:loose|out)\b",
    r"\bcrushed\b", r"\btorn\b", r"\bripped\b", r"\b(?:tear|rip|scratch|dent)s? (?:on|in|across|along) (?:the|its|one|my)\b", r"\bmisprint", r"\bdefective\b",
    r"\bmissing pages?\b", r"upside[- ]down", r"printed (?:twice|backwards|wrong)", r"blank pages?", r"pages? (?:are |were )?(?:missing|torn|blank|stuck)", r"\bsmudged\b", r"\bwater damage",
    r"\b(?:print(?:ed|ing)?|pages?|text|ink)\b[^.?!]{0,30}\b(?:faint(?:ly)?|blurry|blurred|smeared)\b",
    r"\b(?:faint(?:ly)?|blurry|blurred|smeared)\b[^.?!]{0,30}\b(?:print(?:ed|ing)?|pages?|text|ink)\b",
    r"(?:印刷|文字|インク)[^。]{0,8}(?:薄|にじ|滲)",
    r"破損", r"破れ", r"破け", r"落丁", r"乱丁", r"かすれ", r"汚れ", r"折れ", r"潰れ", r"傷(?:が|つ|あり|も)", r"へこ", r"印刷ミス", r"ページが(?:抜け|飛ん|逆|重複)", r"ページ[^。]{0,12}(?:抜け|飛んで|欠け|足りな)", r"ページ[^。]{0,4}(?:順番|順序)[^。]{0,10}(?:めちゃくちゃ|バラバラ|ばらばら|違|おかし|逆)",
    r"pages? (?:are |were )?(?:out of order|in the wrong order|jumbled)", r"\bpages?\b[^.?!]{0,20}\bmissing\b",
    r"\bprint(?:ing)? (?:mistake|error|defect|fault)", r"\b(?:smashed|dented|crumpled|creased)\b", r"逆さま", r"不良", r"濡れ", r"\bwet\b",
)

# A question about the customer's own order (not "how long does delivery take" in general).
ORDER = _any(
    r"\bMA-?\d{6}\b", r"where(?:'s| is) my (?:order|package|parcel|book|manga)", r"status of (?:my |the )?order",
    r"has my (?:order|package|parcel|book) (?:shipped|arrived|been|left)", r"\btracking (?:number|code|info)",
    r"my (?:order|package|parcel)[^.?]{0,20}(?:status|shipped|arrived?|track|late|yet|delivered)",
    r"注文した(?!ら|場合|とき|時|際|あと|後)", r"頼んだ(?!ら|場合|とき|時|際)", r"\bchu+mon ?shita\b", r"\bitsu todoku\b", r"追跡番号", r"注文(?:状況|ステータス)", r"まだ届", r"届かない", r"配送状況",
)

# a convenience store by its kind or by a chain's name ("pick it up at a 7-Eleven")
_KONBINI_JA = r"(?:コンビニ|セブン|ローソン|ファミマ|ファミリーマート)"
_KONBINI_EN = r"(?:convenience|konbini|7-?eleven|seven[- ]eleven|lawson|family ?mart|コンビニ|セブン|ローソン|ファミマ)"  # and as a bilingual customer types it

# what arrived is not what was ordered: asked about the order ("注文したのと違う本"), answered by the policy
WRONG_ITEM = _any(r"違う(?:商品|本|巻|もの|物)", r"間違った(?:商品|本|巻)", r"wrong (?:item|book|volume|product|manga|title)",
                  r"not (?:what|the (?:one|book|volume)) i ordered", r"sent me the wrong",
                  r"(?:注文|頼ん)[^。]{0,10}のに[^。]{0,10}(?:巻|本|商品|もの|物)が(?:届|来)")  # not "のにまだ届かない"

# the customer bought the wrong one: a plain return (unopened, within the window), not the store's mistake
OWN_MISTAKE = _any(r"\bby mistake\b", r"\b(?:i )?(?:bought|ordered|purchased|picked) the wrong\b", r"間違えて[^。、]{0,12}(?:買|注文|購入|頼)",
                   r"注文(?:を)?間違え", r"買い間違え", r"頼み間違え")

_COUNTRIES_JA = ("(?:台湾|韓国|中国|香港|アメリカ|米国|カナダ|イギリス|フランス|ドイツ|イタリア|オーストラリア|シンガポール|タイ|"
                 "ブラジル)")

# a book read and not liked, and a return asked for: the change of mind on an opened book
_READ_AND_DISLIKED = (r"\bread (?:the first|a few|some|half|a couple of|part of|the whole|it)\b|"
                      r"\b(?:didn'?t|did not|don'?t|do not) (?:really |actually )?(?:like|enjoy|care for)\b|"
                      r"\bnot (?:for me|my (?:taste|thing|cup of tea))\b|読んでみた|読んだ(?:けど|が|ものの)|"
                      r"(?:好み|趣味)じゃな|合わなかった|つまらなかった|面白くなかった|イマイチ|いまいち")
_RETURN_ASK = (r"\bsend (?:it|them) back\b|\breturn (?:it|them|the book)\b|\bmoney back\b|\brefund\b|返品|返金|"
               r"返せ|送り返|お金[^。]{0,6}(?:戻|返)")

_COUNTRIES_EN = (r"(?:germany|france|the us|usa|america|canada|uk|england|korea|china|taiwan|austr(?:a|ai)lia|europe|bra[sz]il|mexico|"
                 r"india|singapore|phil+ip+ines|indonesia|thailand|vietnam|malay?sia|italy|spain|netherlands|sweden|norway|"
                 r"denmark|finland|poland|ireland|belgium|switzerland|austria|portugal|new zealand|hong kong|argentina|chile)")

# FAQ topics asked another way: (pattern, FAQ key, category). Checked in order; the first that matches wins.
FAQ_TOPICS: list[tuple[re.Pattern, str, str]] = [
    # read it and did not like it: a change of mind on an opened book, however the money is asked about
    (_any(rf"(?:{_READ_AND_DISLIKED})[^?？]{{0,60}}(?:{_RETURN_ASK})", rf"(?:{_RETURN_ASK})[^?？]{{0,60}}(?:{_READ_AND_DISLIKED})"),
     "returns-opened", "refund"),
    # money coming back is a refund, asked before the delivery times ("how soon does the money come back")
    (_any(r"返金", r"\brefund", r"get my money back", r"(?:how soon|how fast|how quickly)[^.?]{0,40}\bmoney\b",
          r"\bmoney\b[^.?]{0,20}\b(?:come|comes|coming) back\b"), "returns-refund-timing", "refund"),
    (_any(r"ポイントで(?:支払|払)", r"(?:use|pay)[^.?]{0,20}points"), "account-points", "payment"),
    (_any(r"代引", r"代金引換", r"cash on delivery", r"\bCOD\b",
          r"\bcash (?:on|at|upon|when)\b[^.?]{0,20}\b(?:deliver|arriv)",
          r"\bpay (?:the )?(?:delivery (?:guy|person|man|driver)|driver|courier|deliveryman)",
          r"\bpay\b[^.?]{0,10}\b(?:when|once|on|upon)\b[^.?]{0,20}\b(?:arriv\w*|deliver\w*|comes)\b",
          r"配達(?:員|の人)[^。]{0,8}(?:払|支払|現金)"),
     "payment-methods", "payment"),
    (_any(r"(?:請求|引き落と|支払)[^。]{0,10}(?:2|二|２)(?:回|重)", r"(?:2|二|２)(?:回|重)[^。]{0,6}(?:請求|引き落と|決済)",
          r"二重(?:請求|決済)", r"二重に(?:請求|引き落と|課金)", r"charged twice", r"(?:billed|charged) (?:twice|two times|double)", r"double[- ]?charged?", r"charged two times", r"two charges"),
     "payment-double-charge", "payment"),
    (_any(r"領収書", r"\breceipts?\b", r"\binvoice\b"), "payment-receipt", "payment"),
    (_any(r"海外[^。]{0,8}カード", r"foreign[^.?]{0,12}cards?", r"overseas[^.?]{0,12}cards?",
          r"(?:card|cards) (?:issued|from) (?:abroad|overseas|outside)", r"海外発行",
          r"\b(?:us|u\.s\.|uk|american|british|european|canadian|australian|korean|taiwanese|chinese|foreign|overseas|"
          r"non-japanese) (?:bank|credit card|debit card|card|visa|mastercard|amex)", r"\b\w+-issued\b",
          r"issued (?:abroad|overseas|outside japan|in (?:the )?"
          r"(?:us|uk|usa|canada|korea|taiwan|china|europe|australia))",
          rf"\b(?:card|visa|mastercard|amex)\b[^.?]{{0,15}}\b(?:from|issued in) {_COUNTRIES_EN}\b"),
     "payment-foreign-cards", "payment"),
    # a convenience store both takes payments and holds parcels: the verb says which ("pay there" or "collect there")
    (_any(rf"{_KONBINI_JA}[^。]{{0,8}}(?:受け取|受取|取りに|預か|保管|置いて)", rf"(?:受け取|受取)[^。]{{0,8}}{_KONBINI_JA}",
          rf"{_KONBINI_EN}[^.?]{{0,40}}(?:pick(?:ed)?(?: \w+)? ?up|collect|hold|keep|parcel|package)",
          rf"(?:pick(?: \w+){{0,3}} ?up|collect|grab)[^.?]{{0,30}}{_KONBINI_EN}",
          rf"{_KONBINI_EN}[^.?]{{0,30}}instead of (?:home |house )?deliver",
          rf"(?:parcel|package|order|it)\b[^.?]{{0,12}}\b(?:go|be sent|be delivered|sent|delivered) to "
          rf"(?:a |the |my )?(?:nearby )?{_KONBINI_EN}"),
     "shipping-konbini-pickup", "shipping"),
    (_any(r"コンビニ(?:払い|支払|決済)", r"コンビニ[^。]{0,8}(?:払|支払|決済|入金)[^。]{0,16}(?:いつ|期限|何日|まで)",
          rf"{_KONBINI_JA}[^。]{{0,8}}(?:払|支払|決済|入金)[^。]{{0,30}}(?:キャンセル|待|期限|いつまで|何日)",
          r"convenience[- ]store (?:payment|pay)", r"konbini (?:payment|pay)",
          r"(?:how long|deadline|by when)[^.?]{0,30}(?:convenience|konbini)",
          r"(?:convenience|konbini)[^.?]{0,40}(?:deadline|expire|how long|how many days|runs? out)"),
     "payment-konbini-deadline", "payment"),
    (_any(r"カード[^。]{0,8}(?:使えない|通らない|エラー|拒否|決済できない)", r"card (?:was |is |got )?(?:declined|rejected|refused)"),
     "payment-card-declined", "payment"),
    (_any(r"支払(?:い)?方法", r"(?:どう|何で|なにで)(?:支払|払)", r"(?:支)?払い方", r"(?:どんな|どのような|どういう|ほかの|他の)[^。]{0,4}(?:支払|払)", r"payment (?:options|methods?)", r"ways? to pay",
          r"\bpay (?:with|by|using|at)\b", r"paypay", r"コンビニ[^。]{0,8}(?:払|支払|決済)", r"bank transfer", r"credit ?cards?", r"クレジット", r"銀行振込", r"(?:使える|使えますか)[^。]{0,6}(?:支払|決済)"),
     "payment-methods", "payment"),
    (_any(r"沖縄", r"那覇", r"離島", r"okinawa", r"\bnaha\b", r"remote islands?",
          # an island's name (利尻島, 佐渡島), not a prefecture that ends in 島 (広島, 福島, 徳島, 鹿児島)
          r"(?<!広)(?<!福)(?<!徳)(?<!児)島(?:に|まで|へ|在住|です|から|の方|住|暮ら)",
          r"(?:石垣|宮古|奄美|佐渡|利尻|礼文|屋久|対馬|小笠原|五島|八丈)(?:島|諸島)?", r"\b\w+[- ]jima\b",
          r"\b(?:amami|sado|ishigaki|miyakojima|ogasawara|rishiri|yakushima|tsushima)\b"),
     "shipping-remote-islands", "shipping"),
    (_any(r"時間(?:帯)?指定", r"配達(?:日|時間)[^。]{0,6}(?:指定|選)", r"time ?slot", r"evening delivery",
          r"(?:choose|pick|select) (?:a |the )?(?:delivery )?(?:date|time)", r"時間[^。]{0,6}(?:選べ|選択|決め)", r"(?:配達|配送|お届け)[^。]{0,4}(?:日|時間)[^。]{0,6}(?:指定|選)",
          r"(?:夜|夕方|午前中?|午後)に(?:届け|配達|受け取)", r"(?:午前中?|午後|夜間?|夕方)着", r"deliver(?:ed|y)? (?:in the |at )?(?:evening|night|morning)"),
     "shipping-time-slot", "shipping"),
    (_any(r"海外(?:発送|配送|に送|へ送|から注文)", r"overseas", r"internationa(?:l|lly)", r"abroad", r"\bEMS\b",
          rf"(?:ship|send|deliver)\w* (?:books |manga |it |them )?to {_COUNTRIES_EN}",
          rf"\b(?:from|in) {_COUNTRIES_EN}\b[^.?]{{0,40}}\b(?:ship|send|deliver|order|buy|purchase)",
          # said where they are, then asked in a later sentence: "Hi from Germany! … Can you send orders over here?"
          rf"\b(?:from|in|live in|living in|based in|moved to) (?:the )?{_COUNTRIES_EN}\b[^?]{{0,120}}\b(?:ship|send|deliver)\w*\b"
          rf"[^.?]{{0,30}}\b(?:here|there|over|abroad|to me|my (?:country|place|address))\b",
          r"import (?:tax|taxes|duty|duties)",
          r"\bcustoms\b", r"関税", r"輸入税",
          rf"{_COUNTRIES_JA}[^。]{{0,8}}(?:まで|に|へ)[^。]{{0,6}}(?:送|発送|配送|届)",
          # living abroad, then asking in the next sentence: 「台湾に住んでます。送ってもらえますか？」
          rf"{_COUNTRIES_JA}(?:に|で)(?:住|在住|暮ら)[^？?]{{0,30}}(?:送|発送|配送|届|注文|買え)"),
     "shipping-international", "shipping"),
    (_any(r"(?:宅配)?業者", r"運送会社", r"配送会社", r"ヤマト", r"佐川", r"郵便(?:です|で届)", r"日本郵便", r"ゆうパック",
          r"\bcourier", r"\bcarriers?\b", r"\byamato\b", r"\bsagawa\b", r"\bkuroneko\b", r"japan post", r"yu-?pack",
          r"which (?:company|service) (?:delivers|ships)", r"(?:delivery|shipping) compan(?:y|ies)"), "shipping-carriers", "shipping"),
    (_any(r"まとめ(?:て|た)?(?:発送|配送|送)", r"同梱", r"combine (?:my |the |several |two )?(?:\w+ )?orders?",
          r"\b(?:ship|send|deliver|put|pack)\b[^.?]{0,25}\b"
          r"(?:together|in (?:one|a single) (?:box|parcel|package|shipment))\b"),
     "shipping-combine-orders", "shipping"),
    (_any(r"送料", r"(?:何円|いくら)(?:から|以上)[^。？?]{0,8}無料", r"無料に?な(?:る|り)[^。]{0,8}(?:何円|いくら)", r"free (?:shipping|delivery)", r"(?:shipping|delivery|postage) (?:is )?free", r"shipping (?:cost|fee|charge|price)", r"(?:delivery|postage) (?:cost|fee|charge)",
          r"how much (?:is|does|for) (?:the )?(?:shipping|delivery|postage)", r"(?:shipping|delivery) cost",
          r"minimum (?:order|purchase)", r"what does delivery cost"), "shipping-free-threshold", "shipping"),
    (_any(r"(?:何日|いつ)[^。]{0,10}(?:発送|出荷|届)", r"\bdelivery times?\b", r"\btakes? (?:like |about |around )?(?:a|one|two|\d+) (?:week|day)s?\b", r"(?:発送|出荷)[^。]{0,8}(?:何日|いつ|どのくらい|どれくらい)",
          r"(?:how long|how many days)[^.?]{0,30}(?:ship|deliver|arrive|dispatch)", r"\bdispatch", r"when will (?:it|my order|the book|they) ship",
          r"when do you ship", r"何日(?:かか|くらい|ぐらい)", r"届くまで", r"how (?:fast|soon|quickly)",
          r"(?:どれ|どの)(?:くらい|ぐらい)で[^。]{0,8}(?:届|来|着|手元)", r"何日で[^。]{0,6}(?:届|来|着|手元)"),
     "shipping-delivery-time", "shipping"),
    (_any(r"予約[^。]{0,12}キャンセル", r"キャンセル[^。]{0,12}予約",
          r"予約[^。]{0,20}(?:取り消|取消|やめ)", r"cancel[^.?]{0,20}pre-?orders?",
          r"\breserved\b[^.?]{0,60}\b(?:back out|cancel|changed my mind)", r"\bback out of (?:a |my |the )?(?:pre-?order|reservation)",
          r"pre-?order[^?]{0,60}\b(?:back out|changed? my mind)", r"(?:back out|changed? my mind)[^?]{0,60}pre-?order", r"pre-?order(?:s|ed)?[^.?]{0,60}\bcancel"),
     "returns-preorder-cancel", "refund"),
    (_any(r"予約(?:注文|購入|でき|は|を|って|したら|する)", r"pre-?order", r"発売前[^。]{0,10}(?:注文|買え|購入|予約)",
          r"(?:order|buy|reserve)[^.?]{0,30}before (?:it'?s |its |the |they'?re |it |they )?"
          r"(?:release|released|out|comes? out)",
          r"\breserve (?:a |the |my )?(?:copy|volume|next|new|upcoming)", 
          # held for a book not out yet ("来月出る新刊、押さえておける?"), not a volume in stock ("8巻、取り置きして")
          r"(?:新刊|来月|発売前|発売日|出る(?:本|巻|新刊|の))[^。]{0,20}(?:押さえ|取り置き|受け付け|受付)",
          r"\b(?:hold|put aside|set aside) (?:a |one )?(?:copy|volume)\b"), "store-preorders", "general"),
    (_any(r"特典", r"\btokuten\b", r"\b(?:store )?bonus(?:es)?\b", r"illustration cards?", r"おまけ", r"イラストカード",
          r"\bfreebies?\b", r"\bfree (?:gift|extra)s?\b"), "store-bonus-items", "general"),
    (_any(r"返金[^。]{0,12}(?:いつ|何日|どのくらい)", r"(?:お金|代金)[^。]{0,8}(?:戻|返)", r"when[^.?]{0,25}refund",
          r"refund[^.?]{0,25}(?:take|how long|when)", r"get my money back", r"(?:how long|when)[^.?]{0,40}\bmoney\b"),
     "returns-refund-timing", "refund"),
    # "not opened yet" (未開封, 開けてない, "haven't opened it") is the unopened book's window, not this entry
    (_any(r"(?<!未)開封(?!して(?:い)?な|せず)", r"開け(?:ちゃ|た|てしま)",
          r"(?:ビニール|シュリンク)[^。]{0,6}(?:破|やぶ|はが|剥が|開け|取)(?![^。、]{0,3}(?:て(?:い)?な|て(?:い)?ませ|てへん|ず))",
          r"(?<!not )(?<!n't )(?<!never )(?<!even )(?<!yet )\bopened\b", r"読ん(?:じゃ|でしま|だ)[^。]{0,10}(?:本|漫画|マンガ|返品|返せ)",
          r"\b(?:already )?read (?:it|the book|them)\b[^.?]{0,30}\b(?:return|send (?:it|them) back)\b"), "returns-opened", "refund"),
    (_any(r"返品[^。]{0,10}(?:方法|手続|どうやって|仕方|手順|やり方|流れ|どうすれば|どうしたら)",
          r"(?:送り返|返品|返送)[^。]{0,20}(?:どこ|どちら|\bwhere)\s*から[^。]{0,6}(?:申請|手続|申し込)",
          r"(?:返品|返送)の?(?:申請|手続)[^。]{0,6}(?:どこ|どちら|\bwhere)\s*から", r"how (?:do|can) i return", r"return process",
          r"\b(?:send(?:ing)? (?:\w+ )?back|return(?:ing)?)\b[^?]{0,80}\b(?:what (?:do|should|would) i (?:need to |have to )?do|"
          r"step[- ]by[- ]step|the steps|the procedure)\b",
          r"\b(?:start|begin|make|file|request|initiate|submit) (?:a |the |my )?return\b",
          r"\b(?:steps?|process|procedure) (?:to|for) "
          r"(?:send(?:ing)? (?:something|it|them|items?|a book) back|return(?:ing)?)",
          r"\breturn (?:option|button|form|request)\b",
          r"\bsend (?:it|them) back\b[^?]{0,30}\bhow (?:do|can|would) i (?:do (?:that|it|this))\b",
          r"\bhow (?:do|can|would|should) i\b[^.?]{0,30}\b(?:send(?:ing)? (?:it|them|\w+) back|return(?:ing)? (?:it|them))"), "returns-how-to", "refund"),
    (_any(r"返品", r"送り返", r"未開封", r"開け(?:て(?:い)?な|ず)", r"\bunopened\b",
          r"\b(?:it'?s|it is|they'?re|they are|(?:the )?books? is) still "
          r"(?:sealed|(?:in|wrapped in) (?:the |its )?(?:shrink[- ]?wrap|plastic|wrapping))\b",
          r"(?:haven'?t|have not|hasn'?t|not yet|never|not) (?:even |been |yet )*opened",
          r"(?:ビニール|シュリンク)[^。]{0,6}(?:破|やぶ|はが|剥が|開け|取)[^。、]{0,3}(?:て(?:い)?な|て(?:い)?ませ|てへん|ず)",
          r"(?:haven'?t|have not|didn'?t|did not|never) (?:even |yet )*(?:taken|take|peeled|removed|ripped|torn|unwrapped)"
          r"(?:[^.?]{0,12}(?:plastic|wrap|shrink|seal))?",
          r"return (?:window|policy|period|deadline)", r"send (?:something|it|an item|items|a book) back",
          r"\breturn (?:an|a|the|my) (?:item|book|order)", r"can i (?:still )?return"), "returns-window", "refund"),
    (_any(r"パスワード[^。]{0,10}(?:忘|わすれ|リセット|再設定)", r"(?:forgot|reset)[^.?]{0,10}password"),
     "account-password-reset", "account"),
    (_any(r"ロックされ", r"ロック(?:解除|がかか)", r"アカウント[^。]{0,6}ロック", r"locked out", r"account (?:is )?locked", r"too many (?:login|failed)", r"too many (?:attempts|tries)",
          r"\b(?:password|login)s? wrong\b[^.?]{0,40}\b(?:times|attempts|tries)\b",
          r"\b(?:wrong|incorrect) passwords?\b[^.?]{0,40}\b(?:times|attempts|tries)\b", r"\bwon'?t let me (?:log|sign) ?in\b",
          r"(?:ログイン|パスワード)[^。]{0,12}(?:間違え|ミス)[^。]{0,12}(?:入れな|ログインでき(?:な|ひん|へん|ん)|でき(?:なくな|ひんように|へんように)|使えな)"), "account-locked", "account"),
    (_any(r"(?:メール(?:アドレス)?|メアド)[^。]{0,6}(?:変更|変え|変わ)", r"change (?:my )?e-?mail"), "account-email-change", "account"),
    (_any(r"住所[^。]{0,8}(?:変更|変え|変わ|直|修正|更新)", r"(?:届け先|配送先|送り先)[^。]{0,12}(?:変更|変え|直|修正|更新)",
          r"引っ越", r"change (?:my )?(?:delivery )?address", r"\bnew address\b", r"\bupdate (?:my )?(?:delivery )?address",
          r"\bmov(?:ed|ing) (?:house|home|to a new (?:place|flat|apartment|house))\b"), "account-address-change", "account"),
    (_any(r"退会", r"アカウント[^。]{0,6}(?:削除|消)",
          r"(?:delete|close|remove|closing|deleting|cancel(?:l?ing)?) (?:my |the )?account"),
     "account-delete", "account"),
    (_any(r"ポイント", r"\bpoints?\b"), "account-points", "account"),
    (_any(r"(?:営業|対応|受付|サポート)時間", r"何時から", r"何時まで", r"support (?:hours|team|open)",
          r"(?:customer )?support[^.?]{0,20}(?:open|hours|available)", r"reach (?:your|the) support",
          r"(?:opening|business) hours", r"what time do you open", r"\bwhat time (?:is|are|do|does)\b[^.?]{0,30}\bopen\b",
          r"what hours (?:are|is|do) (?:you|your|ur|the) (?:staff|support|team|people)",
          r"\b(?:staff|support)\b[^.?]{0,20}\baround\b", r"電話[^。]{0,12}(?:窓口|問い合わせ)",
          r"(?:サポート|問い合わせ|窓口)[^。]{0,8}(?:土日|週末|祝日|何時|やって)"),
     "store-support-hours", "general"),
    (_any(r"シュリンク", r"shrink[- ]?wrap", r"\bshrink\b", r"ビニール", r"\bplastic[- ]?wrap", r"sealed in plastic"), "store-shrink-wrap", "general"),
    (_any(r"ラッピング", r"包装", r"gift[- ]?wrap", r"プレゼント用", r"(?:gift|present)[- ]wrap",
          r"\bwrap (?:it|them|this|these|the books?)\b[^.?]{0,20}\b(?:gift|present)"), "store-gift-wrapping", "general"),
    (_any(r"実店舗", r"店舗(?:は|が|って|あり)", r"(?:お店|店舗|店)に(?:直接|行|買いに)", r"直接買い", r"physical (?:shop|store)", r"store i can visit",
          r"(?:shop|store) in (?:tokyo|osaka|person)", r"visit (?:your|the) (?:shop|store)", r"brick and mortar",
          r"(?:shop|store|location)s? (?:i|we) can (?:visit|go to|walk into)", r"\bin[- ]person\b", r"\bomise\b",
          r"\bjitsu ?tenpo\b"),
     "store-physical-shop", "general"),
    (_any(r"英語版", r"英語の(?:漫画|本|マンガ|まんが)", r"英訳", r"翻訳版", r"英語に翻訳", r"english (?:edition|version|translation)s?", r"in english", r"english[- ]translated", r"\btranslated (?:versions?|editions?|copies|manga)\b",
          r"only japanese", r"other languages"), "store-languages", "general"),
    (_any(r"絶版", r"out[- ]of[- ]print", r"no longer (?:in print|printed|published)", r"(?:not|no longer) (?:being )?reprinted"), "store-out-of-print", "rare_manga"),
    (_any(r"入荷(?:したら|次第)[^。]{0,10}(?:連絡|通知|お知らせ|知らせ|教え)", r"(?:notify|tell|email|let) me when[^.?]{0,25}(?:back in stock|restock|available)",
          r"restock (?:alert|notification)",
          r"\b(?:e-?mail|notif\w*|alert|message|ping)\b[^.?]{0,30}\bwhen\b[^.?]{0,40}\b(?:comes? back|back in stock|restock\w*|available again)", r"(?:また|再び|再)(?:入|入荷)[^。、]{0,6}たら", r"入ったら[^。]{0,10}(?:連絡|知らせ|教え|メール)",
          r"再入荷[^。]{0,12}(?:連絡|通知|お知らせ|知らせ|教え|メール)",
          r"back in stock[^.?]{0,30}(?:tell|notify|email|let me know)"), "store-stock-notification", "general"),
]

# Delivery within Japan: a prefecture or a large city, with a question about sending there.
PLACES_JA = ("北海道 青森 岩手 宮城 秋田 山形 福島 茨城 栃木 群馬 埼玉 千葉 東京 神奈川 新潟 富山 石川 福井 山梨 長野 岐阜 静岡 愛知 "
             "三重 滋賀 京都 大阪 兵庫 奈良 和歌山 鳥取 島根 岡山 広島 山口 徳島 香川 愛媛 高知 福岡 佐賀 長崎 熊本 大分 宮崎 "
             "鹿児島 札幌 仙台 横浜 川崎 名古屋 神戸 博多 北九州 堺 浜松 相模原 さいたま 千葉市 金沢 松山 那覇 函館 "
             "地方 田舎 全国").split()
PLACES_EN = ("hokkaido aomori iwate miyagi akita yamagata fukushima ibaraki tochigi gunma saitama chiba tokyo kanagawa "
             "niigata toyama ishikawa fukui yamanashi nagano gifu shizuoka aichi mie shiga kyoto osaka hyogo nara "
             "wakayama tottori shimane okayama hiroshima yamaguchi tokushima kagawa ehime kochi fukuoka saga nagasaki "
             "kumamoto oita miyazaki kagoshima sapporo sendai yokohama kawasaki nagoya kobe hakata kitakyushu sakai "
             "hamamatsu kanazawa matsuyama hakodate japan countryside").split()
PLACE_EN = re.compile(r"\b(?:" + "|".join(PLACES_EN) + r")\b", re.IGNORECASE)
PLACE_JA = re.compile("|".join(PLACES_JA))
DELIVERY_ASK = _any(r"\bship", r"\bdeliver", r"\bsend\b", r"\bpost\b", r"\barrive", r"送れ", r"送って", r"届", r"配送",
                    r"配達", r"発送", r"お届け")


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


# a goodbye that says so outright, even in words a question would use ("got what i needed")
FAREWELL = _any(r"got what i (?:needed|wanted)", r"that answers (?:everything|it|my question)", r"\b(?:kind|best|warm) regards\b",
                r"\bthanks (?:a lot|so much|a bunch|again)\W*$", r"(?:exactly|just) what i (?:needed|wanted|was looking for)", r"that'?s all i (?:needed|wanted)", r"\bbye\b", r"\bcheers\b",
                _HAVE_A_GOOD_ONE, r"失礼します")


def is_closer(text: str) -> bool:
    if not CLOSER.search(text):
        return False
    farewell = FAREWELL.search(text) is not None and not re.search(r"[?？]", text)
    if len(text) > (120 if farewell else 60):
        return False
    return farewell or not STILL_ASKING.search(text)


def is_greeting(text: str) -> bool:
    text = _clean(text)
    return len(text) <= 60 and bool(GREETING.search(text))


MAX_FAQ_TOPICS = 3  # "is there a shop I can visit? and is it shrink-wrapped?": each question gets its entry
# Entries that answer the same question differently: a message gets the first of them its words match, never two
# (collecting a parcel at a konbini or paying there; an unopened, an opened or a damaged book's return…). A wrong
# item never gets here: detect answers it before the order and topic rules.
RIVAL_ENTRIES = [
    {"shipping-konbini-pickup", "payment-konbini-deadline", "payment-methods"},
    {"returns-window", "returns-opened", "returns-damaged", "returns-preorder-cancel"},
    {"account-password-reset", "account-locked"},
    {"shipping-free-threshold", "shipping-remote-islands", "shipping-international"},
    {"payment-methods", "payment-foreign-cards", "payment-card-declined"},
    {"shipping-delivery-time", "shipping-time-slot", "store-preorders"},
]

_RIVALS_OF = {key: set().union(*(group for group in RIVAL_ENTRIES if key in group)) for _, key, _ in FAQ_TOPICS}


# a topic named only to be left for later: 「ラッピングはまた後で相談させてください」, "gift wrap I'll ask about later"
PUT_OFF = _any(r"[^。？?！!]{0,6}?(?:は|も|については|の件は)?(?:また|改めて)?(?:後で|あとで|後ほど|のちほど|今度|別途)",
               r"[^.?!]{0,25}?\b(?:later|another time|some other time|separately)\b")


def faq_topics(text: str) -> list[tuple[str, str]]:
    """The FAQ entries a message asks about in other words, each with its category: the first in FAQ_TOPICS order
    (the specific before the general) leads and decides the category, the others follow in the order the message
    asks them; one per topic phrase the message holds, none a rival of one before it (RIVAL_ENTRIES), at most
    MAX_FAQ_TOPICS."""
    text = _clean(text)
    found = {}
    for pattern, key, category in FAQ_TOPICS:
        if key not in found and not _RIVALS_OF[key] & found.keys() and (match := pattern.search(text)) \
                and not PUT_OFF.match(text, match.end()):
            found[key] = (match.start(), category)
    ranked = list(found.items())[:MAX_FAQ_TOPICS]
    ranked[1:] = sorted(ranked[1:], key=lambda item: item[1][0])  # after the most specific: the message's order
    return [(key, category) for key, (_, category) in ranked]


def detect(text: str) -> Intent | None:
    """The intent the message's words make plain, or None to let the classifier decide."""
    text = _clean(text)
    if not text:
        return None
    if LEGAL.search(text):
        return Intent("legal", "legal")
    if COMPLAINT.search(text):
        return Intent("complaint", "complaint")
    if HUMAN.search(text):
        return Intent("human_request", "general")
    if IDENTITY.search(text):
        return Intent("identity", "general")
    if is_closer(text):
        return Intent("closer", "general")
    if DAMAGED.search(text):
        return Intent("faq", "refund", ("returns-damaged",))
    if OWN_MISTAKE.search(text):  # "how do I send it back?" gets the steps before the window
        how_to = ("returns-how-to",) if "returns-how-to" in dict(faq_topics(text)) else ()
        return Intent("faq", "refund", (*how_to, "returns-window"))
    if WRONG_ITEM.search(text):
        return Intent("faq", "refund", ("returns-wrong-item",))
    if ORDER.search(text):
        return Intent("order", "order_status")
    topics = faq_topics(text)
    if topics and topics[0][0] == "shipping-remote-islands":  # the entry says "yes, we deliver": no lead before it
        keys = dict.fromkeys(["shipping-remote-islands", "shipping-free-threshold", *(k for k, _ in topics)])
        return Intent("faq", "shipping", tuple(keys)[:MAX_FAQ_TOPICS])
    if topics:
        return Intent("faq", topics[0][1], tuple(key for key, _ in topics))
    if DELIVERY_ASK.search(text) and (PLACE_JA.search(text) or PLACE_EN.search(text)):
        return Intent("ship_region", "shipping", ("shipping-free-threshold",))
    return None


# --- catalog questions: what is asked about a title (the title itself is found by the catalog search) ----------
RECOMMEND = _any(r"same (?:vibe|feel|kind of feel)", r"\bvibes? (?:as|like)\b", r"おすすめ", r"オススメ", r"お勧め", r"似た", r"似てる", r"みたいな", r"ような(?:漫画|作品|マンガ)", r"ハマって",
                 r"次は何", r"\brecommend", r"\bsuggest", r"\brecs\b", r"\bsimilar\b", r"read next", r"should i read", r"\bsomething like\b",
                 r"\bif i (?:liked|loved|like|love)\b", r"\bi (?:liked|loved) .*what")
# "like X", "Xみたいな": a title named as the measure of what is wanted
LIKE_A_TITLE = _any(r"\blike\b", r"\bsimilar\b", r"みたいな", r"ような", r"似た", r"似てる", r"っぽい")
EDITION_BOX = _any(r"BOX", r"ボックス", r"全巻セット", r"box ?sets?", r"complete set")
EDITION_SPECIAL = _any(r"特装版", r"限定版", r"special edi?ti?on", r"limited edi?ti?on", r"collector'?s edition")
# what makes a copy of any title collectible: the store's rare_manga desk answers it
COLLECTIBLE = _any(r"初版", r"サイン(?:入り|本)", r"絶版", r"希少", r"\bsigned\b", r"first (?:edition|print)", r"out[- ]of[- ]print",
                   r"\brare\b")
LATEST = _any(r"最新刊", r"最新巻", r"新しい巻", r"最新", r"新刊", r"一番新しい", r"\blate?st\b", r"\bnewe?st\b", r"most recent",
              r"\bnew(?:est)? (?:volume|book|release|one)\b", r"最後の(?:巻|一冊|1冊)", r"\blast (?:number|volume|vol|book|issue)\b",
              r"\bsaishin ?(?:kan)?\b")
# who made it: asked before a recommendation, since "same author" questions ask for the author first
AUTHOR_ASK = _any(r"作者", r"著者", r"(?:かい|描い|書い)(?:て|と)?る?人\s*(?:だれ|誰|って)", r"かいた人", r"誰が(?:描|書|作)", r"(?:描|書)かれた(?:方|人|の)", r"(?:描|書)いた(?:人|方)", r"(?:描|書)い(?:て|と)る人",
                  r"人って誰", r"\bsakusha\b", r"\bdare ga kaita\b",
                  r"どなた(?:です|でしょう|だった|でした|なの|が描|が書)", r"漫画家",
                  r"\bwho (?:wrote|drew|draws|writes|made|created|is the (?:author|writer|artist|mangaka))\b", r"\bauthor\b",
                  r"\bmangaka\b", r"\bwriter\b", r"\b(?:written|drawn) by\b")
SERIES_FACT = _any(
    r"完結", r"連載", r"終わって", r"終了", r"\bfinished\b", r"\bcomplete(?:d)?\b", r"\bended\b", r"\bongoing\b",
    r"still (?:going|running|being published|coming out|(?:being )?seriali[sz]ed)", r"\bseriali[sz]ation\b", r"series (?:is )?over", r"\bover already\b", r"\bover (?:now|for good)\b", r"\bend(?:ed)? already\b",
    r"\bever (?:actually |really |truly |properly )?(?:end|ended|finish|finished|conclude|concluded)\b",
    r"最終巻(?:まで)?[^。]{0,4}(?:出|発売|刊行)", r"(?:今も|今でも|まだ)[^。]{0,4}(?:描|書)かれて",
    r"最後まで[^。？?]{0,6}(?:描|書|出|刊行|連載)", r"(?:\bending|\bend|ラスト|結末)\s*まで[^。？?]{0,4}(?:行|い|出|進)", r"(?:物語|お話|話|ストーリー)[^。]{0,6}(?:終わ|完結|最後まで)",
    r"\b(?:reach|reached|have|has|get|got) (?:an |a proper |an actual )?(?:ending|conclusion)\b", r"\bdid\b[^.?]{1,60}\bend\b",
    r"(?:まだ|今も)続いて", r"続いて(?:る|ます)(?:の|か|[？?])", r"\bwrapped up\b", r"(?:終|お)わった", r"終わり(?:ました|ます)?[か？?]", r"何巻", r"何冊", r"既刊",
    r"how many (?:volumes|vols|books|tankobon)", r"volume count", r"\bvols? count\b", r"\btotal vols?\b", r"誰が", r"描いて",
    r"書いて", r"作家", r"\bwho (?:wrote|drew|draws|writes|made|created)\b", r"\bartist\b", AUTHOR_ASK.pattern,
    r"\balready (?:end|ended|over|finished|done|complete)\b", r"\bstill (?:continu\w*|go(?:es|ing)? (?:on|further))\b",
    r"\b(?:story|series|manga) (?:is |now |already )*(?:closed|over|done|finished|complete)\b", r"\bgo(?:es)? further\b",
    r"\bhow many volumes?\b", r"\b(?:volumes?|books?) in total\b",
    # Japanese typed in romaji: "mou owatta?", "mada tsuzuiteru?", "nankan made dete masu ka"
    r"\b(?:is|it'?s|that'?s) (?:(?:that|it|this|the series|one|like|all|really|totally|fully) ){0,4}done\b",
    r"\b(?:gonna|going to) be (?:any )?more\b", r"\bwill there be (?:any )?more\b", r"なんかん", r"なんさつ",
    r"\b(?:mou )?owatta\b", r"\btsuzui?te(?:ru|imasu)\b", r"\bkanketsu\b", r"\bnan ?(?:kan|satsu)\b",
)
# what the story is: "tell me about X", "Xについて教えて", "what's X like?", "Xってどんな話?", its plot or synopsis
ABOUT = _any(r"\btell me (?:a (?:bit|little) |some(?:thing)? |more )?about\b", r"\bwhat(?:'s| is)\b[^?？]{2,80}\b(?:about|like)\s*[?？]?\s*$",
             r"\b(?:plot|storyline|synopsis|premise)\b", r"\bwhat(?:'s| is) the story\b", r"\bwhat kind of (?:manga|story|series)\b",
             r"\binfo (?:on|about)\b", r"について(?:教えて|知りたい|聞きたい)", r"どんな(?:話|お話|漫画|マンガ|まんが|作品|内容|ストーリー)",
             r"あらすじ", r"内容を?(?:教えて|知りたい)", r"ってどんな")
# "volume 4", "4巻", "#4", "v4", "book 4" say the number is a volume; "4th volume" and "4 volume" only when none of those
# is there, because a title can end in a number ("Mob Psycho 100 volume 4" asks for volume 4, not 100). No \b before
# "vol": in 「ワンピースvol.3」 the kana and the v are both word characters.
VOLUME_NUMBER = re.compile(r"(\d{1,3})\s*巻|vol(?:ume|um)?s?\.?\s*#?(\d{1,3})|\bv(\d{1,3})\b|#(\d{1,3})\b|\bbook\s*#?(\d{1,3})\b"
                           r"|\b(\d{1,3}) ?kan\b", re.IGNORECASE)  # "kimetsu 24 kan aru?": 巻 typed in romaji
VOLUME_BEFORE_WORD = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)?\s+volume", re.IGNORECASE)
# "I just finished Blue Lock 31. Is the one after that out?": the volume after the one read is asked about
READ_UP_TO = re.compile(r"\b(?:finished|read|done with|caught up (?:to|with)|up to|through)\b[^.?!]{0,40}?"
                        r"(?:\bvol(?:ume)?\.?\s*#?|#|\b)(\d{1,3})\b(?!\s*(?:%|years?|days?|times))"
                        r"|(\d{1,3})\s*巻(?:目)?まで(?:読|買|持|揃|そろ|集)", re.IGNORECASE)
NEXT_ONE = _any(r"\bthe one after\b", r"\bcomes? (?:after|next)\b", r"\bnext (?:one|volume|vol|book)\b",
                r"次の巻", r"その次", r"続きの巻", r"次巻")


# Numbers said rather than typed (voice input, older customers): 八巻, 第十二巻, "volume twelve", "the third volume".
# Only next to a volume word, since a title may hold a number word ("One Piece", "三月のライオン"), and not after
# "volumes", which counts the ones the customer has ("he has volumes one through six and needs volume 7").
_KANJI_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_VOLUME = re.compile(r"(?<![一二三四五六七八九十百〇零])([一二三四五六七八九十百〇零]{1,5})(?=\s*(?:巻|冊目))")
_EN_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
             "seventeen eighteen nineteen").split()
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_EN_ORDINALS = ("zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
                "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth").split()
_EN_NUMBER = (r"(?:(?:" + "|".join(_EN_TENS) + r")(?:[- ](?:" + "|".join(_EN_UNITS[1:10]) + r"))?|"
              + "|".join(sorted(_EN_UNITS, key=len, reverse=True)) + r")")
_EN_ORDINAL = r"(?:" + "|".join(sorted(_EN_ORDINALS[1:], key=len, reverse=True)) + r"|(?:" + "|".join(_EN_TENS) + \
              r")[- ](?:" + "|".join(_EN_ORDINALS[1:10]) + r")|twentieth|thirtieth|fortieth)"
_EN_VOLUME_NUMBER = re.compile(r"\b(vol(?:ume|um)?\.?|book)\s+(" + _EN_NUMBER + r")\b", re.IGNORECASE)
_EN_ORDINAL_VOLUME = re.compile(r"\b(" + _EN_ORDINAL + r")\s+(volume|vol|book)\b", re.IGNORECASE)


def _kanji_number(numeral: str) -> int:
    value, digits = 0, 0
    for char in numeral:
        if char in ("十", "百"):
            value += (digits or 1) * (10 if char == "十" else 100)
            digits = 0
        else:
            digits = digits * 10 + _KANJI_DIGIT[char]
    return value + digits


_EN_WORD_VALUE = ({word: value for value, word in enumerate(_EN_UNITS)} | _EN_TENS
                  | {word: value for value, word in enumerate(_EN_ORDINALS)}
                  | {"twentieth": 20, "thirtieth": 30, "fortieth": 40})


def _english_number(words: str) -> int:
    return sum(_EN_WORD_VALUE[word] for word in words.lower().replace("-", " ").split())


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def with_digits(text: str) -> str:
    """The message with the volume numbers it spells out written in digits: 八巻 → 8巻, "volume twelve" →
    "volume 12", "the third volume" → "the 3rd volume"; everything else as it was."""
    text = _KANJI_VOLUME.sub(lambda m: str(_kanji_number(m.group(1))), text or "")
    text = _EN_VOLUME_NUMBER.sub(lambda m: f"{m.group(1)} {_english_number(m.group(2))}", text)
    return _EN_ORDINAL_VOLUME.sub(lambda m: f"{_ordinal(_english_number(m.group(1)))} {m.group(2)}", text)


def next_volume(text: str) -> int | None:
    """The volume after the one the customer says they have read, when they ask about the next one."""
    text = _clean(text)
    if not NEXT_ONE.search(text) or not (read := READ_UP_TO.search(text)):
        return None
    return int(next(group for group in read.groups() if group)) + 1


# where a collection would start ("1巻から全部そろえると何冊?"), not a volume asked about
FROM_VOLUME = _any(r"第?\d+\s*巻目?から", r"\b(?:from|starting (?:at|from|with)) (?:vol(?:ume)?\.?\s*|book\s*)?#?\d+\b")
STOCK_ASK = _any(r"在庫", r"\bstock\b", r"\bikura\b", r"\bzaiko\b", r"\barimasu ka\b", r"\bkan aru\b", r"\bavailable\b", r"買え", r"ありますか", r"ある[？?]", r"あります[？?]", r"\bcarry\b",
                 r"\bprice\b", r"いくら", r"値段", r"how much", r"ください", r"探して", r"\bdo (?:you|u) have\b", r"\bgot\b",
                 r"入荷", r"\bsell\b", r"売って")

GENRE_ASK = {
    "isekai": _any(r"異世界", r"\bisekai\b"), "cooking": _any(r"料理", r"グルメ", r"\bcooking\b", r"\bfood manga"),
    "music": _any(r"音楽", r"バンド(?:もの|漫画)", r"\bmusic\b"), "medical": _any(
        r"医療", r"\bmedical\b", r"hospital", r"(?:病院|医者|医師|看護師)[^。]{0,10}(?:漫画|マンガ|まんが|もの|作品|出て)"),
    "mecha": _any(r"ロボット", r"\bmechas?\b", r"\bmechs\b", r"\brobot manga", r"giant robots?"),
    "horror": _any(r"ホラー", r"怖い", r"\bhorror\b", r"\bscary\b"),
    "sports": _any(r"スポーツ", r"\bsports?\b"), "mystery": _any(r"ミステリー", r"推理", r"\bmystery\b", r"\bdetective manga"),
    "historical": _any(r"歴史", r"時代(?:もの|劇|漫画)", r"\bhistor(?:y|ical)\b"),
    "romance": _any(r"恋愛", r"ラブコメ", r"\bromance\b", r"\bromantic\b"),
    "comedy": _any(r"ギャグ", r"コメディ", r"\bcomedy\b", r"\bfunny\b"), "fantasy": _any(r"ファンタジー", r"\bfantasy\b"),
    "sci-fi": _any(r"(?<![A-Za-z])SF(?![A-Za-z])", r"\bsci-?fi\b", r"science fiction"),
    "action": _any(r"バトル", r"アクション", r"\baction\b"),
    "slice-of-life": _any(r"日常系", r"癒し", r"ほのぼの", r"slice of life", r"\biyashikei\b", r"\b(?:chill|cozy|cosy|comfy|relaxing|wholesome)\b"),
    "psychological": _any(r"心理", r"\bpsychological\b"), "thriller": _any(r"サスペンス", r"\bthriller\b"),
    "martial-arts": _any(r"格闘", r"\bmartial arts?\b"), "supernatural": _any(r"妖怪", r"\bsupernatural\b"),
}
DEMOGRAPHIC_ASK = {
    "shoujo": _any(r"少女(?:漫画|マンガ|まんが|向け)(?!より|じゃな|ではな|以外)", r"\bshou?jo\b(?! (?:is|was) too)"),
    "josei": _any(r"女性(?:向け|漫画|マンガ)", r"\bjosei\b"),
    "seinen": _any(r"青年(?:漫画|マンガ|向け)", r"\bseinen\b"),
    "shonen": _any(r"少年(?:漫画|マンガ|向け)", r"\bshou?nen\b"),
    "kodomo": _any(r"子ども向け", r"子供向け", r"児童", r"小学生", r"\bkids?(?:'|’)? (?:manga|books?|comics?|series|stuff)\b",
                   r"\bfor (?:my |a |the )?(?:little |young )?kids?\b", r"\bchildren\b", r"\bkodomo\b"),
}


# "actually scratch that, I mean the special edition", 「あ、特装版じゃなくて通常版の方です」: what comes before a
# correction, and an edition said not to be wanted, are not what is asked
CORRECTION = _any(r"\bscratch that\b", r"\bactually,? (?:i mean|i meant|make (?:that|it))\b", r"\bcorrection\b", r"訂正",
                  r"(?:と思ったけど|じゃなくて|ではなくて)")
_EDITION_WORD = r"(?:the |a )?(?:box ?sets?|special edition|limited edition|特装版|限定版|BOX|ボックス|全巻セット)"
NOT_THE_EDITION = _any(rf"\b(?:not|no|don'?t want|rather than|instead of) {_EDITION_WORD}", rf"{_EDITION_WORD}(?:じゃなく|ではなく|でなく|じゃない|は(?:いら|要ら)ない)")


# a title the customer means but does not name again: the one of an earlier message
REFERS_BACK = _any(r"\b(?:that|the same|this) (?:series|title|manga|one I asked about)\b", r"その(?:作品|シリーズ|漫画|マンガ)", r"さっきの(?:作品|シリーズ|漫画)?")


# a title named only as the measure of another: "the same person who did Chainsaw Man", "since she loved Frieren",
# 「『君に届け』を全部読み終えて」: the question is about the other title it names
AS_CONTEXT = _any(
    r"\bsame (?:person|author|artist|mangaka|writer|guy|one|people) (?:who|that) (?:did|drew|wrote|made|does|draws)\s+[^.?!,]{1,40}",
    r"\bsame (?:author|artist|mangaka|writer) as\s+[^.?!,]{1,40}",
    r"\b(?:since|because|as) (?:she|he|they|i|we) (?:loved|liked|read|finished|enjoyed|devoured)\s+[^.?!,]{1,40}",
    r"\b(?:moved on|switched|graduated) from\s+[^.?!,]{1,40}?(?=\s+to\b|[.?!,]|$)",
    r"『[^』]{1,30}』(?:を|は|が|に|と)(?:全部|全巻|もう|一通り)?(?:読み終え|読んだ|読破|ハマ|はま|好き|比べ)",
    r"(?:前回|前に)[^。]{0,6}『[^』]{1,30}』")


def what_is_asked(text: str) -> str:
    """The words that say what is asked: after the last correction, with any edition said not to be wanted taken out
    (the title may be anywhere; the form is read from these)."""
    text = NOT_THE_EDITION.sub(" ", text)
    corrections = list(CORRECTION.finditer(text))
    return text[corrections[-1].end():] if corrections and corrections[-1].end() < len(text) else text


def catalog_form(text: str) -> str | None:
    """What a catalog question asks, from its words: "recommendation", "box_set" or "special" (an edition),
    "latest" (the newest volume), "series" (author, volume count, completion), "about" (what the story is), "stock"
    (a volume, price, stock); None when it asks none of these."""
    text = what_is_asked(_clean(text))
    asked = FROM_VOLUME.sub(" ", text)
    if LATEST.search(text):  # "I'm caught up to volume 12, what's the newest one?": 12 is read, not asked for
        asked = READ_UP_TO.sub(" ", asked)
    volume = VOLUME_NUMBER.search(asked) or VOLUME_BEFORE_WORD.search(asked) or next_volume(text)
    # "弟がハマってて…黒バスの1巻っておいくら？": a volume's price asked is not a recommendation, whatever else it says
    if RECOMMEND.search(text) and not AUTHOR_ASK.search(text) and not (volume and STOCK_ASK.search(text)):
        return "recommendation"
    if EDITION_BOX.search(text):
        return "box_set"
    if EDITION_SPECIAL.search(text):
        return "special"
    if LATEST.search(text) and not volume:
        return "latest"
    if volume:
        return "stock"
    if SERIES_FACT.search(text):
        return "series"
    if ABOUT.search(text):
        return "about"
    if STOCK_ASK.search(text):
        return "stock"
    return None


def without_taste_words(text: str) -> str:
    """The message with every word that names a kind of manga (a genre, a demographic) blanked."""
    text = _clean(text)
    for pattern in (*DEMOGRAPHIC_ASK.values(), *GENRE_ASK.values()):
        text = pattern.sub(" ", text)
    return text


def taste(text: str) -> tuple[str, str] | None:
    """("genre", G) or ("demographic", D) when the message names a kind of manga rather than a title."""
    text = _clean(text)
    for demographic, pattern in DEMOGRAPHIC_ASK.items():
        if pattern.search(text):
            return "demographic", demographic
    for genre, pattern in GENRE_ASK.items():
        if pattern.search(text):
            return "genre", genre
    return None
