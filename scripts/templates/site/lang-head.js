(function(){
var q=(location.search.match(/[?&]lang=(zh|en)/)||[])[1], s=null;
try{s=localStorage.getItem('takeoff-lang');}catch(e){}
var l=q||s||((navigator.language||'').toLowerCase().indexOf('zh')===0?'zh':'en');
if(q){try{localStorage.setItem('takeoff-lang',q);}catch(e){}}
document.documentElement.setAttribute('data-lang',l);
document.documentElement.lang=l==='zh'?'zh-Hans':'en';
})();
