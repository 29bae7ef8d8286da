(function(){
function mark(l){
  document.querySelectorAll('.takeoff-switch a').forEach(function(a){a.setAttribute('aria-current', a.dataset.lang===l?'true':'false');});
  document.querySelectorAll('a[href]').forEach(function(a){
    var h=a.getAttribute('href'); if(!/^[^:?#]+\.html(#.*)?$/.test(h)) return;
    var p=h.split('#'); a.setAttribute('href', p[0]+'?lang='+l+(p[1]?'#'+p[1]:''));
  });
}
function set(l){
  document.documentElement.setAttribute('data-lang',l);
  document.documentElement.lang=l==='zh'?'zh-Hans':'en';
  try{localStorage.setItem('takeoff-lang',l);}catch(e){}
  try{history.replaceState(null,'','?lang='+l+location.hash);}catch(e){}
  document.querySelectorAll('a[href*="?lang="]').forEach(function(a){a.setAttribute('href',a.getAttribute('href').replace(/\?lang=(zh|en)/,''));});
  mark(l);
  if(window.Plotly){document.querySelectorAll('.takeoff-chart').forEach(function(d){if(d.offsetParent!==null){Plotly.Plots.resize(d);}});}
}
document.addEventListener('DOMContentLoaded',function(){
  document.querySelectorAll('.takeoff-switch a').forEach(function(a){a.addEventListener('click',function(e){e.preventDefault();set(a.dataset.lang);});});
  mark(document.documentElement.getAttribute('data-lang'));
});
window.addEventListener('load',function(){
  if(window.Plotly){document.querySelectorAll('.takeoff-chart').forEach(function(d){if(d.offsetParent!==null){Plotly.Plots.resize(d);}});}
  views();
});
// a view of an explorable chart (a slider step, a dropdown entry) by link: #chart-id/label
function show(d,label){
  var L=d.layout||{}, hit=false;
  [['sliders','steps'],['updatemenus','buttons']].forEach(function(k){
    (L[k[0]]||[]).forEach(function(c,ci){(c[k[1]]||[]).forEach(function(s,si){
      if(s.label!==label) return; hit=true;
      Plotly.restyle.apply(null,[d].concat(s.args)); var u={}; u[k[0]+'['+ci+'].active']=si; Plotly.relayout(d,u);
    });});
  });
  return hit;
}
function views(){
  if(!window.Plotly) return;
  document.querySelectorAll('.takeoff-chart').forEach(function(d){
    if(!d.on) return;
    var keep=function(label){try{history.replaceState(null,'',location.search+'#'+d.id+'/'+encodeURIComponent(label));}catch(e){}};
    d.on('plotly_sliderchange',function(e){keep(e.step.label);});
    d.on('plotly_buttonclicked',function(e){keep(e.button.label);});
  });
  var m=location.hash.match(/^#(takeoff-chart-[0-9a-f]+)\/(.+)$/);
  if(m){var d=document.getElementById(m[1]); if(d&&show(d,decodeURIComponent(m[2]))){d.scrollIntoView();}}
}
window.takeoffShow=show;
})();
